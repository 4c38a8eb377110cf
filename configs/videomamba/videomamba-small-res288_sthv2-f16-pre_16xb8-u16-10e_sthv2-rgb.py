# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S, 16x288x288, from the 16-frame 224 SSv2 model.
# paper: top-1/top-5 68.1 / 91.2, 112 GFLOPs x 3 crops x 2 clips
# GPUs x batch are not given in the official scripts: 16 x 8 chosen.
_base_ = ['./videomamba-tiny-res288_sthv2-f16-pre_16xb8-u16-10e_sthv2-rgb.py']
from mmvssm.utils import derive

# RandAugment rand-m7-n4-mstd0.5-inc1
rand_augment = dict(magnitude=7, num_layers=4, magnitude_std=0.5)
train_pipeline = derive.update_transform(
    _base_.train_pipeline, 'VideoRandAugment', **rand_augment
)
# The previous stage with its head, converted by
# tools/model_converters/videomamba_official_to_mmvssm.py; position
# tables are resized on load.
load_from = 'checkpoints/videomamba_s16_ssv2_f16_res224_mmvssm.pth'
# The first stage's weights (this stage starts from load_from).
pretrained = 'checkpoints/videomamba_s16_in1k_res224.pth'
model = derive.model_size('small', 384, 0.35)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
