# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S, 16x224x224, ImageNet-1K init, Something-Something V2.
# paper: top-1/top-5 67.6 / 90.9, 68 GFLOPs x 3 crops x 2 clips
_base_ = ['./videomamba-small_in1k-pre_8xb64-u8-30e_sthv2-rgb.py']

num_frames = 16
train_pipeline, val_pipeline, test_pipeline = (
    [dict(t, clip_len=num_frames) if 'clip_len' in t else t for t in p]
    for p in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)
)
model = dict(backbone=dict(num_frames=num_frames))
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
