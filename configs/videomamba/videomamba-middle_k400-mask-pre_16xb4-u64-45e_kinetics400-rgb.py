# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 64x224x224, masked-pretrained on Kinetics-400, fine-tuned.
# paper: top-1/top-5 84.3 / 96.6, 806 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-middle_k400-mask-pre_16xb32-u8-45e_kinetics400-rgb.py']

num_frames = 64
train_pipeline, val_pipeline, test_pipeline = (
    [dict(t, clip_len=num_frames) if 'clip_len' in t else t for t in p]
    for p in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)
)
model = dict(backbone=dict(num_frames=num_frames))
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# Official LR rule: 0.0001 (base) x 16 GPUs x 4 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=5e-05))
auto_scale_lr = dict(base_batch_size=64)
