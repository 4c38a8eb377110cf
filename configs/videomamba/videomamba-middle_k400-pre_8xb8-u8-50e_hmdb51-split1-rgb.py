# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 8x224x224, Kinetics-400 init, HMDB51 (split 1).
# No paper numbers: the paper reports no UCF101/HMDB51 results.
# The UCF101 recipe of the same size, on HMDB51's files and 51 classes.
_base_ = ['./videomamba-small_k400-pre_8xb8-u8-50e_hmdb51-split1-rgb.py']
from mmvssm.utils import derive

# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_m16_k400_f8_res224.pth'
model = derive.model_size('middle', 576, 0.8, pretrained)
