# Copyright (c) mmvssm contributors. All rights reserved.
# CLIP ViT-B/16 on the embedded synthetic motion set (8 classes, 64-pixel
# frames seen natively: the 14x14 positional embedding is resized to 4x4
# when the weights load). Only CLIP's image projection `proj` trains (a
# probe, 0.39M parameters); checkpoints hold just the trainable weights
# (save_frozen=False), the frozen ones reload from checkpoints/ViT-B-16.pt.
# Frame means cannot tell a motion from its time reversal, so expect about
# 50% top-1 at best: the row exercises the video-text path end to end.
_base_ = [
    '../_base_/models/clip_vit-b16.py',
    '../_base_/datasets/synthetic_motion.py',
    '../_base_/default_runtime.py',
]

model = dict(
    trainable=('backbone.proj',),
    save_frozen=False,
    backbone=dict(img_size=64),
    cls_head=dict(text_branch=dict(class_names='synthetic_motion')),
)

max_epochs = 5
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1
)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.0))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True)
]
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='auto'),
)
randomness = dict(seed=0)
