# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA zero-shot on the Kinetics-600 novel classes, split 1 (160 classes
# disjoint from K400; ViFi-CLIP's ZS_split1_K600.csv and
# ZS_split1_K600_eval.txt), 4 x 3 views. Paper: 74.5 (mean of 3 splits).
_base_ = [
    './msta_viclip-b16-r256-b1to12_8xb32-u8-30e_k400-zero-shot_hmdb51-split1-rgb.py'
]

model = dict(
    cls_head=dict(
        text_branch=dict(class_names=_base_.labels + '/ZS_split1_K600.csv')
    )
)
test_dataloader = dict(
    dataset=dict(
        ann_file=_base_.splits + '/k600_splits/ZS_split1_K600_eval.txt',
        data_prefix=dict(video='data/kinetics600'),
        pipeline=[
            dict(t, num_clips=4) if t.type == 'UniformSample' else t
            for t in _base_.test_pipeline
        ],
    )
)
