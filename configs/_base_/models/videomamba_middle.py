# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M (576 wide, 32 blocks); everything else as VideoMamba-Ti.
_base_ = ['./videomamba_tiny.py']

model = dict(
    backbone=dict(arch='middle', drop_path_rate=0.8),
    cls_head=dict(in_channels=576),
)
