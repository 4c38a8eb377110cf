# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S, 32 frames, Breakfast: the tiny row with the small model
# (from its K400 32-frame weights), wd 0.05, drop path 0.35, 50 epochs.
# paper: top-1 95.3
_base_ = ['./videomamba-tiny_k400-f32-pre_8xb32-u32-70e_breakfast-rgb.py']
from mmvssm.utils import derive

model = derive.model_size(
    'small', 384, 0.35, 'checkpoints/videomamba_s16_k400_f32_res224.pth'
)
optim_wrapper = dict(optimizer=dict(weight_decay=0.05))
train_cfg = dict(max_epochs=50)
param_scheduler = derive.warmup_cosine(_base_, epochs=50)
