# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 16x224x224, ImageNet-1K init, Something-Something V2.
# paper: top-1/top-5 68.3 / 91.4, 202 GFLOPs x 3 crops x 2 clips
_base_ = ['./videomamba-middle_in1k-pre_16xb32-u8-30e_sthv2-rgb.py']

num_frames = 16
train_pipeline, val_pipeline, test_pipeline = (
    [dict(t, clip_len=num_frames) if 'clip_len' in t else t for t in p]
    for p in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)
)
model = dict(backbone=dict(num_frames=num_frames))
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# Official LR rule: 0.0004 (base) x 16 GPUs x 16 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=0.0008))
auto_scale_lr = dict(base_batch_size=256)
