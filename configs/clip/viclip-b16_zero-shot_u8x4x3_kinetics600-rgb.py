# Copyright (c) mmvssm contributors. All rights reserved.
# ViCLIP-B/16 zero-shot: the CLIP ViT-B/16 row with ViCLIP's encoders and
# weights (checkpoints/ViCLIP-B_InternVid-FLT-10M.pth).
_base_ = [
    './clip-vit-b16_zero-shot_u8x4x3_kinetics600-rgb.py',
    '../_base_/models/viclip_b16_delta.py',
]

model = {{_base_.viclip_b16}}
