# Copyright (c) mmvssm contributors. All rights reserved.
# CLIP ViT-B/16 zero-shot on HMDB51 (split 1 test list, 51 classes): the
# UCF101 row on HMDB51's files and class names.
_base_ = ['./clip-vit-b16_zero-shot_u8x4x3_ucf101-split1-rgb.py']
from mmvssm.utils import derive

model = derive.text_classes('hmdb51')
test_dataloader = derive.test_files(
    'data/hmdb51/hmdb51_val_split_1_videos.txt', 'data/hmdb51/videos'
)
