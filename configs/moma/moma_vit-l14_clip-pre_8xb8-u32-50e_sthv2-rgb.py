# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-L/14, 32x224x224, Something-Something V2.
# paper: top-1 73.8, 8304 GFLOPs (3 views).
_base_ = ['./moma_vit-b16_clip-pre_8xb8-u32-50e_sthv2-rgb.py']
from mmvssm.utils import derive

clip_checkpoint = 'checkpoints/ViT-L-14.pt'
model = derive.clip_size('l14', clip_checkpoint, 768)
