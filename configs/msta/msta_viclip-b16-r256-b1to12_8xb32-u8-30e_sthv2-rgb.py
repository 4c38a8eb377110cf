# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA fully supervised on Something-Something V2 (174 classes): the
# Kinetics-400 row on SSv2's files, class list (ViFi-CLIP's ssv2_labels.csv)
# and descriptions, without horizontal flip (it swaps left/right classes),
# 2 x 3 test views. No paper number is known for this row.
_base_ = ['./msta_viclip-b16-r256-b1to12_8xb32-u8-30e_k400-rgb.py']
from mmvssm.utils import derive

__desc = _base_.descriptions + '/2_{}_description_ssv2.json'
model = derive.text_classes(_base_.labels + '/ssv2_labels.csv', __desc)
train_pipeline = [t for t in _base_.train_pipeline if t.type != 'Flip']
__views = derive.views(_base_, 2)
train_dataloader, val_dataloader, test_dataloader = derive.with_files(
    'data/sthv2/videos',
    'data/sthv2/sthv2_train_list_videos.txt',
    _base_.splits + '/ssv2_splits/validation.txt',
    pipelines=(train_pipeline, None, __views),
)
