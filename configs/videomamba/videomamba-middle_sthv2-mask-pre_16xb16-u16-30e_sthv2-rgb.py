# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 16x224x224, masked-pretrained on SSv2, fine-tuned.
# paper: top-1/top-5 71.0 / 92.7, 202 GFLOPs x 3 crops x 2 clips
_base_ = ['./videomamba-middle_in1k-pre_16xb16-u16-30e_sthv2-rgb.py']

# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_m16_ssv2_mask_pt_f8_res224.pth'
model = dict(
    backbone=dict(drop_path_rate=0.4, init_cfg=dict(checkpoint=pretrained))
)
# Official LR rule: 0.0001 (base) x 16 GPUs x 16 videos x 2 repeats / 256.
optim_wrapper = dict(
    optimizer=dict(lr=0.0002), paramwise_cfg=dict(layer_decay_rate=0.8)
)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = [
    dict(_base_.param_scheduler[0], start_factor=0.01),
    dict(_base_.param_scheduler[1], eta_min_ratio=0.01),
]
