# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S, 8x224x224, Kinetics-400 init, UCF101 (split 1).
# No paper numbers: the paper reports no UCF101/HMDB51 results;
# the recipe (K400 augmentation, 50 epochs, base lr 2e-4) is ours.
_base_ = ['./videomamba-tiny_k400-pre_8xb8-u8-50e_ucf101-split1-rgb.py']
from mmvssm.utils import derive

# RandAugment rand-m7-n4-mstd0.5-inc1
rand_augment = dict(magnitude=7, num_layers=4, magnitude_std=0.5)
train_pipeline = derive.update_transform(
    _base_.train_pipeline, 'VideoRandAugment', **rand_augment
)
# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_s16_k400_f8_res224.pth'
model = derive.model_size('small', 384, 0.35, pretrained)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
