# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S, 8x224x224, ImageNet-1K init, Something-Something V2.
# paper: top-1/top-5 66.6 / 90.4, 34 GFLOPs x 3 crops x 2 clips
# The small Kinetics-400 row with the tiny SSv2 row's changes, 30 epochs.
_base_ = ['./videomamba-small_in1k-pre_8xb64-u8-50e_kinetics400-rgb.py']
from mmvssm.utils import derive

data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'
num_classes = 174
# No horizontal flip: it turns "left to right" into "right to left".
train_pipeline = [t for t in _base_.train_pipeline if t.type != 'Flip']
# 2 clips x 3 crops at test.
test_pipeline = derive.views(_base_, 2)
model = derive.classes(_base_, num_classes)
train_dataloader, val_dataloader, test_dataloader = derive.with_files(
    data_root,
    ann_file_train,
    ann_file_val,
    pipelines=(train_pipeline, None, test_pipeline),
)
# Official LR rule: 0.0004 (base) x 8 GPUs x 64 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=0.0016))
train_cfg = dict(max_epochs=30)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = derive.warmup_cosine(_base_, epochs=30, floor=0.0025)
