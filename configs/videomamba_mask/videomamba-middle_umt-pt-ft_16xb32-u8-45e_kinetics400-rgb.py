# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M fine-tuned on Kinetics-400 from OUR masked pre-training
# checkpoint (videomamba-middle_umt-pt_32xb64-u8-800e_kinetics400-rgb):
# the official masked fine-tuning row, the student loaded with load_from
# (backbone.* match; the pre-trainer's clip_decoder.* are left out).
_base_ = [
    '../videomamba/'
    'videomamba-middle_k400-mask-pre_16xb32-u8-45e_kinetics400-rgb.py'
]

model = dict(backbone=dict(init_cfg=None))
load_from = (
    'work_dirs/videomamba-middle_umt-pt_32xb64-u8-800e_kinetics400-rgb/'
    'epoch_800.pth'
)
