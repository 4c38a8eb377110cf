# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M student distilled from a frozen VideoMamba-S teacher,
# 8x224x224, Kinetics-400: the paper's self-distillation (done there on
# ImageNet-1K) applied to video. Besides the classification loss, the
# student's final tokens, through RMSNorm + Linear(576 -> 384), are aligned
# with the teacher's final tokens by 2 - 2 cos (weight 1).
# paper: no video result (the distilled ImageNet-1K VideoMamba-M reaches 82.8).
_base_ = ['./videomamba-middle_in1k-pre_16xb32-u8-50e_kinetics400-rgb.py']

# Teacher: a trained VideoMamba-S (official K400 8-frame weights, or an
# mmvssm checkpoint with prefix='backbone.' in its init_cfg).
teacher_checkpoint = 'checkpoints/videomamba_s16_k400_f8_res224.pth'

model = dict(
    type='DistillRecognizer3D',
    teacher=dict(
        type='VideoMamba',
        arch='small',
        img_size=224,
        num_frames=8,
        init_cfg=dict(type='Pretrained', checkpoint=teacher_checkpoint),
    ),
    distill_head=dict(
        type='FeatureDistillHead',
        in_channels=576,
        out_channels=384,
        loss_distill=dict(type='CosineDistillLoss', loss_weight=1.0),
    ),
)
# The official distillation runs clip gradients at 5.
optim_wrapper = dict(clip_grad=dict(max_norm=5.0))
