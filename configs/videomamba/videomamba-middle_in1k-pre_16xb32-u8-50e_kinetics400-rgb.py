# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 8x224x224, ImageNet-1K init, Kinetics-400.
# paper: top-1/top-5 80.6 / 94.6, 101 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-small_in1k-pre_8xb64-u8-50e_kinetics400-rgb.py']
from mmvssm.utils import derive

# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_m16_in1k_res224.pth'
model = derive.model_size('middle', 576, 0.8, pretrained)
train_dataloader = dict(batch_size=32)
