# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 64x224x224, ImageNet-1K init, Kinetics-400.
# paper: top-1/top-5 82.8 / 96.0, 806 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-small_in1k-pre_16xb8-u64-50e_kinetics400-rgb.py']

# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_m16_in1k_res224.pth'
model = dict(
    backbone=dict(
        arch='middle', drop_path_rate=0.8, init_cfg=dict(checkpoint=pretrained)
    ),
    cls_head=dict(in_channels=576),
)
train_dataloader = dict(batch_size=4)
# Official LR rule: 0.0001 (base) x 16 GPUs x 4 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=5e-05))
auto_scale_lr = dict(base_batch_size=64)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = [
    dict(_base_.param_scheduler[0], start_factor=0.01),
    dict(_base_.param_scheduler[1], eta_min_ratio=0.01),
]
