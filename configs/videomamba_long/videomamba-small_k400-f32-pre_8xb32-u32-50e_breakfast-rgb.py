# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S, 32 frames, Breakfast: the tiny row with the small model
# (from its K400 32-frame weights), wd 0.05, drop path 0.35, 50 epochs.
# paper: top-1 95.3
_base_ = ['./videomamba-tiny_k400-f32-pre_8xb32-u32-70e_breakfast-rgb.py']

model = dict(
    backbone=dict(
        arch='small',
        drop_path_rate=0.35,
        init_cfg=dict(
            checkpoint='checkpoints/videomamba_s16_k400_f32_res224.pth'
        ),
    ),
    cls_head=dict(in_channels=384),
)
optim_wrapper = dict(optimizer=dict(weight_decay=0.05))
train_cfg = dict(max_epochs=50)
param_scheduler = [
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], T_max=45, end=50),
]
