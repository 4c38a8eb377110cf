# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 8x224x224, Kinetics-400 init, HMDB51 (split 1).
# No paper numbers: the paper reports no UCF101/HMDB51 results.
# The UCF101 recipe of the same size, on HMDB51's files and 51 classes.
_base_ = ['./videomamba-tiny_k400-pre_8xb8-u8-50e_ucf101-split1-rgb.py']

data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'
num_classes = 51
__mix = _base_.model.data_preprocessor.blending.augments
model = dict(
    cls_head=dict(num_classes=num_classes),
    data_preprocessor=dict(
        blending=dict(
            augments=[dict(a, num_classes=num_classes) for a in __mix]
        )
    ),
)
__files = dict(ann_file=ann_file_val, data_prefix=dict(video=data_root))
train_dataloader = dict(dataset=dict(__files, ann_file=ann_file_train))
val_dataloader = dict(dataset=__files)
test_dataloader = dict(dataset=__files)
