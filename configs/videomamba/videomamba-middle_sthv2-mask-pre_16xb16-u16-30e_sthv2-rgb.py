# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 16x224x224, masked-pretrained on SSv2, fine-tuned.
# paper: top-1/top-5 71.0 / 92.7, 202 GFLOPs x 3 crops x 2 clips
_base_ = ['./videomamba-middle_sthv2-mask-pre_16xb32-u8-30e_sthv2-rgb.py']
from mmvssm.utils import derive

num_frames = 16
train_pipeline, val_pipeline, test_pipeline = derive.retime(_base_, num_frames)
model = dict(backbone=dict(num_frames=num_frames))
train_dataloader, val_dataloader, test_dataloader = derive.with_pipelines(
    train_pipeline, val_pipeline, test_pipeline, batch_size=16
)
optim_wrapper, auto_scale_lr = derive.official_lr(0.0001, gpus=16, videos=16)
