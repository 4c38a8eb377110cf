# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 8x224x224, Kinetics-400 init, HMDB51 (split 1).
# No paper numbers: the paper reports no UCF101/HMDB51 results.
# The UCF101 recipe of the same size, on HMDB51's files and 51 classes.
_base_ = ['./videomamba-tiny_k400-pre_8xb8-u8-50e_ucf101-split1-rgb.py']
from mmvssm.utils import derive

data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'
num_classes = 51
model = derive.classes(_base_, num_classes)
train_dataloader, val_dataloader, test_dataloader = derive.with_files(
    data_root, ann_file_train, ann_file_val
)
