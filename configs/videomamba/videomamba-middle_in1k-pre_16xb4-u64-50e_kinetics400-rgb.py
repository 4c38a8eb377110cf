# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 64x224x224, ImageNet-1K init, Kinetics-400.
# paper: top-1/top-5 82.8 / 96.0, 806 GFLOPs x 3 crops x 4 clips
# The 32-frame row at 64 frames.
_base_ = ['./videomamba-middle_in1k-pre_16xb8-u32-50e_kinetics400-rgb.py']
from mmvssm.utils import derive

num_frames = 64
train_pipeline, val_pipeline, test_pipeline = derive.retime(_base_, num_frames)
model = dict(backbone=dict(num_frames=num_frames))
train_dataloader, val_dataloader, test_dataloader = derive.with_pipelines(
    train_pipeline, val_pipeline, test_pipeline, batch_size=4
)
optim_wrapper, auto_scale_lr = derive.official_lr(0.0001, gpus=16, videos=4)
