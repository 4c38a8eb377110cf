# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 16x224x224, ImageNet-1K init, Kinetics-400.
# paper: top-1/top-5 81.9 / 95.4, 202 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-middle_in1k-pre_16xb32-u8-50e_kinetics400-rgb.py']

num_frames = 16
train_pipeline, val_pipeline, test_pipeline = (
    [dict(t, clip_len=num_frames) if 'clip_len' in t else t for t in p]
    for p in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)
)
model = dict(backbone=dict(num_frames=num_frames))
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# Official LR rule: 0.0001 (base) x 16 GPUs x 16 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=0.0002))
auto_scale_lr = dict(base_batch_size=256)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = [
    dict(_base_.param_scheduler[0], start_factor=0.01),
    dict(_base_.param_scheduler[1], eta_min_ratio=0.01),
]
