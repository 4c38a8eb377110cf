# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 32x224x224, masked-pretrained on Kinetics-400, fine-tuned.
# paper: top-1/top-5 83.9 / 96.2, 403 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-middle_in1k-pre_16xb8-u32-50e_kinetics400-rgb.py']

# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_m16_k400_mask_pt_f8_res224.pth'
model = dict(
    backbone=dict(drop_path_rate=0.4, init_cfg=dict(checkpoint=pretrained))
)
optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))
train_cfg = dict(max_epochs=45)
param_scheduler = [
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], T_max=40, end=45),
]
