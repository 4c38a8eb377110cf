# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 8x224x224, masked-pretrained on SSv2, fine-tuned.
# paper: top-1/top-5 70.2 / 92.6, 101 GFLOPs x 3 crops x 2 clips
_base_ = ['./videomamba-middle_in1k-pre_16xb32-u8-30e_sthv2-rgb.py']
from mmvssm.utils import derive

# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_m16_ssv2_mask_pt_f8_res224.pth'
model = dict(
    backbone=dict(drop_path_rate=0.4, init_cfg=dict(checkpoint=pretrained))
)
# Official LR rule: 0.0001 (base) x 16 GPUs x 32 videos x 2 repeats / 256.
optim_wrapper = dict(
    optimizer=dict(lr=0.0004), paramwise_cfg=dict(layer_decay_rate=0.8)
)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = derive.warmup_cosine(_base_, floor=0.01)
