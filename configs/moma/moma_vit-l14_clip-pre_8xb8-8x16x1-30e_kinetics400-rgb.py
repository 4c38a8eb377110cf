# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-L/14, 8x224x224 (dense 8x16 sampling), Kinetics-400.
# paper: top-1 86.7 (from the paper's limitations section; unverified).
# The B/16 8-frame row with the L/14 encoders.
_base_ = ['./moma_vit-b16_clip-pre_8xb8-8x16x1-30e_kinetics400-rgb.py']
from mmvssm.utils import derive

clip_checkpoint = 'checkpoints/ViT-L-14.pt'
model = derive.clip_size('l14', clip_checkpoint, 768)
