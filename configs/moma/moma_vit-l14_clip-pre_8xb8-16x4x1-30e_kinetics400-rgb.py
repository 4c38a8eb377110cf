# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-L/14 (frozen OpenAI CLIP), 16x224x224, Kinetics-400.
# paper: top-1 87.8, 4152 GFLOPs (3 views), 39M trainable parameters.
# L/14 at 224: 16x16 grids, four 8x8 windows per frame, no padding.
_base_ = ['./moma_vit-b16_clip-pre_8xb8-16x4x1-30e_kinetics400-rgb.py']
from mmvssm.utils import derive

clip_checkpoint = 'checkpoints/ViT-L-14.pt'
model = derive.clip_size('l14', clip_checkpoint, 768)
