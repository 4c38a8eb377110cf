# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 32 frames, COIN (180 tasks): the Breakfast tiny row with
# COIN's lists, 180 classes, 40 epochs, 10 test clips x 3 crops.
# Lists: python tools/data/prepare_annotations.py coin --ann-dir
#   data/coin/annotations --video-dir data/coin/videos --out-dir data/coin
# paper: top-1 86.2
_base_ = ['./videomamba-tiny_k400-f32-pre_8xb32-u32-70e_breakfast-rgb.py']
from mmvssm.utils import derive

num_classes = 180
model = derive.classes(_base_, num_classes)
test_pipeline = derive.views(_base_, 10)
data_prefix = dict(video='data/coin/videos')
train_dataloader = dict(
    dataset=dict(
        ann_file='data/coin/coin_train_list_videos.txt',
        data_prefix=data_prefix,
    )
)
val_dataloader = dict(
    dataset=dict(
        type='COINDataset',
        ann_file='data/coin/coin_test_list_videos.txt',
        data_prefix=data_prefix,
    )
)
test_dataloader = dict(
    dataset=dict(val_dataloader['dataset'], pipeline=test_pipeline)
)
train_cfg = dict(max_epochs=40)
param_scheduler = derive.warmup_cosine(_base_, epochs=40)
