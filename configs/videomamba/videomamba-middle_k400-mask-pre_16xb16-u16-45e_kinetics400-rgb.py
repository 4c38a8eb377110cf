# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 16x224x224, masked-pretrained on Kinetics-400, fine-tuned.
# paper: top-1/top-5 83.4 / 95.9, 202 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-middle_k400-mask-pre_16xb32-u8-45e_kinetics400-rgb.py']
from mmvssm.utils import derive

num_frames = 16
train_pipeline, val_pipeline, test_pipeline = derive.retime(_base_, num_frames)
model = dict(backbone=dict(num_frames=num_frames))
train_dataloader, val_dataloader, test_dataloader = derive.with_pipelines(
    train_pipeline, val_pipeline, test_pipeline, batch_size=16
)
optim_wrapper, auto_scale_lr = derive.official_lr(0.0001, gpus=16, videos=16)
