# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S, 64x384x384, from the 64-frame 224 Kinetics-400 model.
# paper: top-1/top-5 82.7 / 95.6, 395 GFLOPs x 3 crops x 4 clips
_base_ = [
    './videomamba-tiny-res384_k400-f64-pre_16xb6-u64-10e_kinetics400-rgb.py'
]
from mmvssm.utils import derive

# RandAugment rand-m7-n4-mstd0.5-inc1
rand_augment = dict(magnitude=7, num_layers=4, magnitude_std=0.5)
train_pipeline = derive.update_transform(
    _base_.train_pipeline, 'VideoRandAugment', **rand_augment
)
# The previous stage with its head, converted by
# tools/model_converters/videomamba_official_to_mmvssm.py; position
# tables are resized on load.
load_from = 'checkpoints/videomamba_s16_k400_f64_res224_mmvssm.pth'
# The first stage's weights (this stage starts from load_from).
pretrained = 'checkpoints/videomamba_s16_in1k_res224.pth'
model = derive.model_size('small', 384, 0.35)
train_dataloader = dict(batch_size=2, dataset=dict(pipeline=train_pipeline))
optim_wrapper, auto_scale_lr = derive.official_lr(5e-6, gpus=32, videos=2)
train_cfg = dict(max_epochs=6)
param_scheduler = derive.warmup_cosine(_base_, epochs=6, warmup=1)
