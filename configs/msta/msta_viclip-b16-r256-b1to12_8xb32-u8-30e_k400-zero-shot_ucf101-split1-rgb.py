# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA zero-shot on UCF101 split 1 (101 classes, ViFi-CLIP's val1.txt),
# 5 x 3 views: the HMDB51 zero-shot row on UCF's files. Paper: 78.7.
_base_ = [
    './msta_viclip-b16-r256-b1to12_8xb32-u8-30e_k400-zero-shot_hmdb51-split1-rgb.py'
]
from mmvssm.utils import derive

model = derive.text_classes(_base_.labels + '/ucf_101_labels.csv')
__views = derive.views(_base_, 5)
test_dataloader = derive.test_files(
    _base_.splits + '/ucf_splits/val1.txt', 'data/ucf101/videos', __views
)
