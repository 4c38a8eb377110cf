# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 32 frames, Breakfast: the small row with the middle model,
# layer decay 0.8 (stem only, as the released code), drop path 0.8.
# paper: top-1 94.8
_base_ = ['./videomamba-small_k400-f32-pre_8xb32-u32-50e_breakfast-rgb.py']
from mmvssm.utils import derive

model = derive.model_size(
    'middle', 576, 0.8, 'checkpoints/videomamba_m16_k400_f32_res224.pth'
)
optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))
