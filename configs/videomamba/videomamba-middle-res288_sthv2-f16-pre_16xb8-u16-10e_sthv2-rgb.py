# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 16x288x288, from the 16-frame 224 SSv2 model.
# paper: top-1/top-5 68.4 / 91.6, 333 GFLOPs x 3 crops x 2 clips
# GPUs x batch are not given in the official scripts: 16 x 8 chosen.
_base_ = ['./videomamba-small-res288_sthv2-f16-pre_16xb8-u16-10e_sthv2-rgb.py']
from mmvssm.utils import derive

# The previous stage with its head, converted by
# tools/model_converters/videomamba_official_to_mmvssm.py; position
# tables are resized on load.
load_from = 'checkpoints/videomamba_m16_ssv2_f16_res224_mmvssm.pth'
# The first stage's weights (this stage starts from load_from).
pretrained = 'checkpoints/videomamba_m16_in1k_res224.pth'
model = derive.model_size('middle', 576, 0.8)
