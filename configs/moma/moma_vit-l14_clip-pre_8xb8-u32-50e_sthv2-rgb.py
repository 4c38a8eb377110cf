# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-L/14, 32x224x224, Something-Something V2.
# paper: top-1 73.8, 8304 GFLOPs (3 views).
_base_ = ['./moma_vit-b16_clip-pre_8xb8-u32-50e_sthv2-rgb.py']

clip_checkpoint = 'checkpoints/ViT-L-14.pt'
__weights = dict(type='Pretrained', checkpoint=clip_checkpoint)
model = dict(
    backbone=dict(foundation=dict(arch='l14', init_cfg=__weights)),
    cls_head=dict(
        in_channels=768,
        text_branch=dict(text_encoder=dict(arch='l14', init_cfg=__weights)),
    ),
)
