# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on UCF101 (51 base / 50 novel): the HMDB51 row on
# UCF's lists, class lists and descriptions; 5 x 3 test views. The logged
# runs' HM 82.93 matches the paper's 82.9.
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_hmdb51-base2novel-rgb.py']
from mmvssm.utils import derive

data_root, b2n_splits = (
    'data/ucf101/videos',
    _base_.splits + '/base2novel_splits/ucf_splits',
)
num_base_classes, num_novel_classes, test_clips = 51, 50, 5
__text = '/ucf_101_{}_labels.csv', '/2_{}_description_ucf_101_base.json'
model = derive.text_classes(
    _base_.labels + __text[0], _base_.descriptions + __text[1], base_novel=True
)
test_pipeline = derive.views(_base_, test_clips)
__b2n = b2n_splits, data_root, num_base_classes, num_novel_classes
train_dataloader, val_dataloader, test_dataloader = derive.base_novel_files(
    *__b2n, pipelines=(None, None, test_pipeline)
)
