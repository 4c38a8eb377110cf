# Copyright (c) mmvssm contributors. All rights reserved.
# The from-scratch control of the masked pre-training comparison: the CPU
# main job (videomamba-mini, synthetic motion) cut to 5 epochs, same
# warm-up, cosine over the rest. Compare with the row that starts from the
# masked pre-training checkpoint (..._umt-pt-ft_...-5e_...).
_base_ = [
    '../videomamba/videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py'
]
from mmvssm.utils import derive

max_epochs = 5
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = derive.warmup_cosine(_base_, epochs=max_epochs)
default_hooks = dict(checkpoint=dict(interval=1))
