# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on UCF101 (51 base / 50 novel): the HMDB51 row on
# UCF's lists, class lists and descriptions; 5 x 3 test views. The logged
# runs' HM 82.93 matches the paper's 82.9.
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_hmdb51-base2novel-rgb.py']
from mmvssm.utils import derive

__splits = _base_.splits + '/base2novel_splits/ucf_splits'
__videos = 'data/ucf101/videos'
__names = _base_.labels + '/ucf_101_{}_labels.csv'
__desc = _base_.descriptions + '/2_{}_description_ucf_101_base.json'

model = derive.text_classes(__names, __desc, base_novel=True)
__views = derive.views(_base_, 5)
train_dataloader, val_dataloader, test_dataloader = derive.base_novel_files(
    __splits, __videos, 51, 50, pipelines=(None, None, __views)
)
