# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 32x224x224, ImageNet-1K init, Kinetics-400.
# paper: top-1/top-5 78.8 / 93.9, 34 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb.py']

num_frames = 32
train_pipeline, val_pipeline, test_pipeline = (
    [dict(t, clip_len=num_frames) if 'clip_len' in t else t for t in p]
    for p in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)
)
model = dict(backbone=dict(num_frames=num_frames))
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# Official LR rule: 0.0002 (base) x 8 GPUs x 32 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=0.0004))
auto_scale_lr = dict(base_batch_size=256)
