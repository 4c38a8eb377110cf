# Copyright (c) mmvssm contributors. All rights reserved.
# CLIP ViT-B/16 zero-shot on the Kinetics-600 validation list (600 classes,
# mmaction2's layout data/kinetics600/videos_val/ +
# kinetics600_val_list_videos.txt): the UCF101 row on K600's files.
# (The ViFi-CLIP protocol's three 160-class splits of the 220 new classes
# are lists of their own; point ann_file and class_names at them.)
_base_ = ['./clip-vit-b16_zero-shot_u8x4x3_ucf101-split1-rgb.py']

model = dict(cls_head=dict(text_branch=dict(class_names='kinetics600')))
test_dataloader = dict(
    dataset=dict(
        ann_file='data/kinetics600/kinetics600_val_list_videos.txt',
        data_prefix=dict(video='data/kinetics600/videos_val'),
    )
)
