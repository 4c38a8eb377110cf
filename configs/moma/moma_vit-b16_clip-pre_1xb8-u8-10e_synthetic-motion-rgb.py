# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-B/16 on the embedded synthetic motion set (8 classes = 4
# time-reversal pairs, 8 frames of 64 pixels): a CPU job. The MoMa model of
# the Kinetics-400 rows with only what the small input changes: 4x4 patch
# grids (the 14x14 positional embedding is resized when the weights load)
# split into 2x2 windows (the K400 rows' 8 of 14, scaled to the grid). Only
# the SeqMods train; checkpoints hold just them. A frame-average model cannot
# tell a clip from its time reversal (about 50% top-1 at best); MoMa's SSM
# can. Weights: checkpoints/ViT-B-16.pt, or a generated OpenAI-format file
# through --cfg-options (see configs/moma/README.md).
_base_ = [
    '../_base_/models/moma_vit-b16.py',
    '../_base_/datasets/synthetic_motion.py',
    '../_base_/schedules/synthetic_adamw_cosine_20e.py',
    '../_base_/default_runtime.py',
]
from mmvssm.utils import derive

model = dict(
    backbone=dict(foundation=dict(img_size=64), window_size=2),
    cls_head=dict(text_branch=dict(class_names='synthetic_motion')),
)

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = derive.warmup_cosine(_base_, epochs=max_epochs)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='auto'),
)
