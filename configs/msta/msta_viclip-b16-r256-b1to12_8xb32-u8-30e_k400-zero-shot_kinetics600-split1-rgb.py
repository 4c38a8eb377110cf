# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA zero-shot on the Kinetics-600 novel classes, split 1 (160 classes
# disjoint from K400; ViFi-CLIP's ZS_split1_K600.csv and
# ZS_split1_K600_eval.txt), 4 x 3 views. Paper: 74.5 (mean of 3 splits).
_base_ = [
    './msta_viclip-b16-r256-b1to12_8xb32-u8-30e_k400-zero-shot_hmdb51-split1-rgb.py'
]
from mmvssm.utils import derive

model = derive.text_classes(_base_.labels + '/ZS_split1_K600.csv')
__views = derive.views(_base_, 4)
test_dataloader = derive.test_files(
    _base_.splits + '/k600_splits/ZS_split1_K600_eval.txt',
    'data/kinetics600',
    __views,
)
