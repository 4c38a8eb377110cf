# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on Something-Something V2 (87 base / 87 novel): the
# UCF101 row on SSv2's lists, class lists and descriptions, no horizontal
# flip, 2 x 3 test views. Paper HM 18.9; logs 21.54 / 14.91 / 17.62.
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_ucf101-base2novel-rgb.py']
from mmvssm.utils import derive

data_root, b2n_splits = (
    'data/sthv2/videos',
    _base_.splits + '/base2novel_splits/ssv2_splits',
)
num_base_classes, num_novel_classes, test_clips = 87, 87, 2
__text = '/ssv2_174_{}_labels.csv', '/2_{}_description_ssv2_base.json'
model = derive.text_classes(
    _base_.labels + __text[0], _base_.descriptions + __text[1], base_novel=True
)
train_pipeline = [t for t in _base_.train_pipeline if t.type != 'Flip']
test_pipeline = derive.views(_base_, test_clips)
__b2n = b2n_splits, data_root, num_base_classes, num_novel_classes
train_dataloader, val_dataloader, test_dataloader = derive.base_novel_files(
    *__b2n, pipelines=(train_pipeline, None, test_pipeline)
)
