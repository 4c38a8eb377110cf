# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-B/16, 8x224x224 (dense 8x16 sampling), Kinetics-400.
# paper: no 8-frame B/16 row reported.
_base_ = ['./moma_vit-b16_clip-pre_8xb8-16x4x1-30e_kinetics400-rgb.py']
from mmvssm.utils import derive

num_frames = 8
frame_interval = 16
train_pipeline, val_pipeline, test_pipeline = derive.retime(
    _base_, num_frames, frame_interval=frame_interval
)
train_dataloader, val_dataloader, test_dataloader = derive.with_pipelines(
    train_pipeline, val_pipeline, test_pipeline
)
