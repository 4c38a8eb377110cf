# Copyright (c) mmvssm contributors. All rights reserved.
# CLIP ViT-B/16 zero-shot on the Kinetics-600 validation list (600 classes,
# mmaction2's layout data/kinetics600/videos_val/ +
# kinetics600_val_list_videos.txt): the UCF101 row on K600's files.
# (The ViFi-CLIP protocol's three 160-class splits of the 220 new classes
# are lists of their own; point ann_file and class_names at them.)
_base_ = ['./clip-vit-b16_zero-shot_u8x4x3_ucf101-split1-rgb.py']
from mmvssm.utils import derive

model = derive.text_classes('kinetics600')
test_dataloader = derive.test_files(
    'data/kinetics600/kinetics600_val_list_videos.txt',
    'data/kinetics600/videos_val',
)
