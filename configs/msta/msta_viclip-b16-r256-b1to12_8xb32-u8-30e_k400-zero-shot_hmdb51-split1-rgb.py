# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA zero-shot: the Kinetics-400-trained model (fully supervised K400 row)
# tested on HMDB51 split 1 (all 51 classes, ViFi-CLIP's val1.txt; splits 2
# and 3: val2.txt / val3.txt), 10 x 3 views:
#   python tools/test.py THIS_CONFIG work_dirs/<K400 run>/best_acc_top1_*.pth
# Descriptions are not used at test time. Paper: 55.8 (mean of 3 splits).
_base_ = ['./msta_viclip-b16-r256-b1to12_8xb32-u8-30e_k400-rgb.py']
from mmvssm.utils import derive

model = derive.text_classes(
    _base_.labels + '/hmdb_51_labels.csv',
    spatial_descriptions=None,
    temporal_descriptions=None,
)
__views = derive.views(_base_, 10)
test_dataloader = derive.test_files(
    _base_.splits + '/hmdb_splits/val1.txt', 'data/hmdb51/videos', __views
)
# Test only.
train_dataloader = train_cfg = optim_wrapper = param_scheduler = None
val_dataloader = val_cfg = val_evaluator = None
