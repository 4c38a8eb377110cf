# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 16x224x224, ImageNet-1K init, Kinetics-400.
# paper: top-1/top-5 78.1 / 93.5, 17 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb.py']
from mmvssm.utils import derive

num_frames = 16
train_pipeline, val_pipeline, test_pipeline = derive.retime(_base_, num_frames)
model = dict(backbone=dict(num_frames=num_frames))
train_dataloader, val_dataloader, test_dataloader = derive.with_pipelines(
    train_pipeline, val_pipeline, test_pipeline, batch_size=64
)
