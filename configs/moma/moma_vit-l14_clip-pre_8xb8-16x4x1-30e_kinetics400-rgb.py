# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-L/14 (frozen OpenAI CLIP), 16x224x224, Kinetics-400.
# paper: top-1 87.8, 4152 GFLOPs (3 views), 39M trainable parameters.
# L/14 at 224: 16x16 grids, four 8x8 windows per frame, no padding.
_base_ = ['./moma_vit-b16_clip-pre_8xb8-16x4x1-30e_kinetics400-rgb.py']

clip_checkpoint = 'checkpoints/ViT-L-14.pt'
__weights = dict(type='Pretrained', checkpoint=clip_checkpoint)
model = dict(
    backbone=dict(foundation=dict(arch='l14', init_cfg=__weights)),
    cls_head=dict(
        in_channels=768,
        text_branch=dict(text_encoder=dict(arch='l14', init_cfg=__weights)),
    ),
)
