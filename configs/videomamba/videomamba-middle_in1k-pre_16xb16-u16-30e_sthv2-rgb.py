# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 16x224x224, ImageNet-1K init, Something-Something V2.
# paper: top-1/top-5 68.3 / 91.4, 202 GFLOPs x 3 crops x 2 clips
_base_ = ['./videomamba-small_in1k-pre_16xb32-u16-30e_sthv2-rgb.py']

# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_m16_in1k_res224.pth'
model = dict(
    backbone=dict(
        arch='middle', drop_path_rate=0.8, init_cfg=dict(checkpoint=pretrained)
    ),
    cls_head=dict(in_channels=576),
)
train_dataloader = dict(batch_size=16)
# Official LR rule: 0.0004 (base) x 16 GPUs x 16 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=0.0008))
auto_scale_lr = dict(base_batch_size=256)
