# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on Something-Something V2 (87 base / 87 novel): the
# UCF101 row on SSv2's lists, class lists and descriptions, no horizontal
# flip, 2 x 3 test views. Paper HM 18.9; logs 21.54 / 14.91 / 17.62.
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_ucf101-base2novel-rgb.py']
from mmvssm.utils import derive

__splits = _base_.splits + '/base2novel_splits/ssv2_splits'
__videos = 'data/sthv2/videos'
__names = _base_.labels + '/ssv2_174_{}_labels.csv'
__desc = _base_.descriptions + '/2_{}_description_ssv2_base.json'

model = derive.text_classes(__names, __desc, base_novel=True)
train_pipeline = [t for t in _base_.train_pipeline if t.type != 'Flip']
__views = derive.views(_base_, 2)
train_dataloader, val_dataloader, test_dataloader = derive.base_novel_files(
    __splits, __videos, 87, 87, pipelines=(train_pipeline, None, __views)
)
