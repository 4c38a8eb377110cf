# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA zero-shot on UCF101 split 1 (101 classes, ViFi-CLIP's val1.txt),
# 5 x 3 views: the HMDB51 zero-shot row on UCF's files. Paper: 78.7.
_base_ = [
    './msta_viclip-b16-r256-b1to12_8xb32-u8-30e_k400-zero-shot_hmdb51-split1-rgb.py'
]

model = dict(
    cls_head=dict(
        text_branch=dict(class_names=_base_.labels + '/ucf_101_labels.csv')
    )
)
test_dataloader = dict(
    dataset=dict(
        ann_file=_base_.splits + '/ucf_splits/val1.txt',
        data_prefix=dict(video='data/ucf101/videos'),
        pipeline=[
            dict(t, num_clips=5) if t.type == 'UniformSample' else t
            for t in _base_.test_pipeline
        ],
    )
)
