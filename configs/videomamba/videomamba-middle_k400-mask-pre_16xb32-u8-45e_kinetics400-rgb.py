# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 8x224x224, masked-pretrained on Kinetics-400, fine-tuned.
# paper: top-1/top-5 82.0 / 95.4, 101 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-middle_in1k-pre_16xb32-u8-50e_kinetics400-rgb.py']
from mmvssm.utils import derive

# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_m16_k400_mask_pt_f8_res224.pth'
model = dict(
    backbone=dict(drop_path_rate=0.4, init_cfg=dict(checkpoint=pretrained))
)
# Official LR rule: 0.0001 (base) x 16 GPUs x 32 videos x 2 repeats / 256.
optim_wrapper = dict(
    optimizer=dict(lr=0.0004), paramwise_cfg=dict(layer_decay_rate=0.8)
)
train_cfg = dict(max_epochs=45)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = derive.warmup_cosine(_base_, epochs=45, floor=0.01)
