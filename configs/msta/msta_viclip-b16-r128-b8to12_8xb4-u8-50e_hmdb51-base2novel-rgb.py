# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on HMDB51 (26 base / 25 novel classes): the Kinetics
# row on HMDB's lists, class lists and descriptions; 10 x 3 test views.
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_k400-base2novel-rgb.py']
from mmvssm.utils import derive

data_root = 'data/hmdb51/videos'
b2n_splits = _base_.splits + '/base2novel_splits/hmdb_splits'
num_base_classes = 26
num_novel_classes = 25
test_clips = 10
__names = _base_.labels + '/hmdb_51_{}_labels.csv'
__desc = _base_.descriptions + '/2_{}_description_hmdb_base.json'

model = derive.text_classes(__names, __desc, base_novel=True)
test_pipeline = derive.views(_base_, test_clips)
train_dataloader, val_dataloader, test_dataloader = derive.base_novel_files(
    b2n_splits,
    data_root,
    num_base_classes,
    num_novel_classes,
    pipelines=(None, None, test_pipeline),
)
