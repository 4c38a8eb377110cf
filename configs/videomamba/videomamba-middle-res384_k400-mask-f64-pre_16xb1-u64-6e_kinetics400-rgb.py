# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M masked, 64x384x384, from its 64-frame 224 model.
# paper: top-1/top-5 85.0 / 96.9, 2368 GFLOPs x 3 crops x 4 clips
# The official code has no script for this row: the supervised M 384
# recipe is used.
_base_ = [
    './videomamba-middle-res384_k400-f64-pre_16xb1-u64-6e_kinetics400-rgb.py'
]

# The previous stage with its head, converted by
# tools/model_converters/videomamba_official_to_mmvssm.py; position
# tables are resized on load.
load_from = 'checkpoints/videomamba_m16_k400_mask_ft_f64_res224_mmvssm.pth'
# The first stage's weights (this stage starts from load_from).
pretrained = 'checkpoints/videomamba_m16_k400_mask_pt_f8_res224.pth'
model = dict(backbone=dict(drop_path_rate=0.4))
optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.8))
