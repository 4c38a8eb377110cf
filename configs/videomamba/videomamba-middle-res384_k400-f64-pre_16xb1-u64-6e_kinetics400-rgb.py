# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 64x384x384, from the 64-frame 224 Kinetics-400 model.
# paper: top-1/top-5 83.3 / 96.1, 2368 GFLOPs x 3 crops x 4 clips
_base_ = [
    './videomamba-small-res384_k400-f64-pre_32xb2-u64-6e_kinetics400-rgb.py'
]
from mmvssm.utils import derive

# The previous stage with its head, converted by
# tools/model_converters/videomamba_official_to_mmvssm.py; position
# tables are resized on load.
load_from = 'checkpoints/videomamba_m16_k400_f64_res224_mmvssm.pth'
# The first stage's weights (this stage starts from load_from).
pretrained = 'checkpoints/videomamba_m16_in1k_res224.pth'
model = derive.model_size('middle', 576, 0.8)
train_dataloader = dict(batch_size=1)
optim_wrapper, auto_scale_lr = derive.official_lr(5e-6, gpus=16, videos=1)
