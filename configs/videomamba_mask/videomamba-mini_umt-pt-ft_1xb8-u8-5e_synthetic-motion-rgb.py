# Copyright (c) mmvssm contributors. All rights reserved.
# Fine-tuning from the synthetic masked pre-training checkpoint: the
# from-scratch 5-epoch row with the pre-trained student loaded
# (backbone.* match; the pre-trainer's clip_decoder.* are left out).
# Run the pre-training first:
#   python tools/train.py configs/videomamba_mask/videomamba-mini_umt-pt_1xb8-u8-1e_synthetic-motion-rgb.py
_base_ = ['./videomamba-mini_scratch_1xb8-u8-5e_synthetic-motion-rgb.py']

load_from = (
    'work_dirs/videomamba-mini_umt-pt_1xb8-u8-1e_synthetic-motion-rgb/'
    'epoch_1.pth'
)
