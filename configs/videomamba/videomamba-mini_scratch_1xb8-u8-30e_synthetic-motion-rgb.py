# Copyright (c) mmvssm contributors. All rights reserved.
# The CPU main job: a small VideoMamba trained from scratch on the embedded
# synthetic motion set (8 classes in time-reversal pairs, so the order of
# frames decides). "mini" is a custom arch: 64 wide, 4 blocks, 8x8 patches of
# 4 frames on 8 frames of 64x64 (64 patches x 2 tubelets + cls = 129
# tokens), about 0.2M parameters. No horizontal flip and no mixup: flipping
# swaps left/right. About 6 minutes on 2 CPU cores, above 90% top-1.
_base_ = [
    '../_base_/models/videomamba_tiny.py',
    '../_base_/datasets/synthetic_motion.py',
    '../_base_/default_runtime.py',
    '../_base_/schedules/synthetic_adamw_cosine_20e.py',
]
from mmvssm.utils import derive

model = dict(
    backbone=dict(
        # _delete_: a custom dict replaces the base's arch name.
        arch=dict(_delete_=True, embed_dims=64, num_layers=4),
        img_size=_base_.img_size,
        patch_size=8,
        num_frames=_base_.clip_len,
        # Four frames per token: the embedding sees local motion directly.
        tubelet_size=4,
        drop_path_rate=0.0,
        # From scratch: keep the mixers' Mamba init (long-memory steps).
        init_mode='mamba',
    ),
    cls_head=dict(num_classes=8, in_channels=64),
)

max_epochs = 30
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(
    optimizer=dict(betas=(0.9, 0.999)),
    constructor='LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(bias_decay_mult=0.0, flat_decay_mult=0.0),
    clip_grad=dict(max_norm=5.0),
)
# Two warm-up epochs from 1% of the lr.
param_scheduler = derive.warmup_cosine(
    _base_, epochs=max_epochs, warmup=2, floor=0.01
)

default_hooks = dict(
    logger=dict(interval=12),
    checkpoint=dict(interval=2, max_keep_ckpts=1, save_best='auto'),
)
