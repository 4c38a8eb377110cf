# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-L/14, 8x224x224 (dense 8x16 sampling), Kinetics-400.
# paper: top-1 86.7 (from the paper's limitations section; unverified).
_base_ = ['./moma_vit-l14_clip-pre_8xb8-16x4x1-30e_kinetics400-rgb.py']
from mmvssm.utils import derive

num_frames = 8
frame_interval = 16
train_pipeline, val_pipeline, test_pipeline = derive.retime(
    _base_, num_frames, frame_interval=frame_interval
)
train_dataloader, val_dataloader, test_dataloader = derive.with_pipelines(
    train_pipeline, val_pipeline, test_pipeline
)
