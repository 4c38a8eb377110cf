# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S (384 wide, 24 blocks); everything else as VideoMamba-Ti.
_base_ = ['./videomamba_tiny.py']

model = dict(
    backbone=dict(arch='small', drop_path_rate=0.35),
    cls_head=dict(in_channels=384),
)
