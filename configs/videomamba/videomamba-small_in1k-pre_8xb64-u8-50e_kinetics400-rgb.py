# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S, 8x224x224, ImageNet-1K init, Kinetics-400.
# paper: top-1/top-5 79.3 / 94.2, 34 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb.py']
from mmvssm.utils import derive

# RandAugment rand-m7-n4-mstd0.5-inc1
rand_augment = dict(magnitude=7, num_layers=4, magnitude_std=0.5)
train_pipeline = derive.update_transform(
    _base_.train_pipeline, 'VideoRandAugment', **rand_augment
)
# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_s16_in1k_res224.pth'
model = derive.model_size('small', 384, 0.35, pretrained)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(optimizer=dict(weight_decay=0.05))
train_cfg = dict(max_epochs=50)
param_scheduler = derive.warmup_cosine(_base_, epochs=50)
