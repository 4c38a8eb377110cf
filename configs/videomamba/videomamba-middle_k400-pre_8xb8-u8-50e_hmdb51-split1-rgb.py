# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 8x224x224, Kinetics-400 init, HMDB51 (split 1).
# No paper numbers: the paper reports no UCF101/HMDB51 results.
# The UCF101 recipe of the same size, on HMDB51's files and 51 classes.
_base_ = ['./videomamba-middle_k400-pre_8xb8-u8-50e_ucf101-split1-rgb.py']

num_classes = 51
data_root = 'data/hmdb51/videos'
ann_file_train = 'data/hmdb51/hmdb51_train_split_1_videos.txt'
ann_file_val = 'data/hmdb51/hmdb51_val_split_1_videos.txt'

model = dict(
    cls_head=dict(num_classes=num_classes),
    data_preprocessor=dict(
        blending=dict(
            augments=[
                dict(type='MixupBlending', alpha=0.8, num_classes=num_classes),
                dict(
                    type='CutmixBlending', alpha=1.0, num_classes=num_classes
                ),
            ]
        )
    ),
)
train_dataloader = dict(
    dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root))
)
val_dataloader = dict(
    dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root))
)
test_dataloader = val_dataloader
