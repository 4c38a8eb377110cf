# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M from the masked-pretrained K400 32-frame model, Breakfast:
# the middle row with drop path 0.4 and 45 epochs.
# paper: top-1 97.9
_base_ = ['./videomamba-middle_k400-f32-pre_8xb32-u32-50e_breakfast-rgb.py']
from mmvssm.utils import derive

model = dict(
    backbone=dict(
        drop_path_rate=0.4,
        init_cfg=dict(
            checkpoint='checkpoints/videomamba_m16_k400_mask_ft_f32_res224.pth'
        ),
    )
)
train_cfg = dict(max_epochs=45)
param_scheduler = derive.warmup_cosine(_base_, epochs=45)
