# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on the embedded synthetic motion set (CPU): train the
# logged adapter set on 4 base classes (left/right, up/down) with CE + L_CC
# (the shipped N = 2 synthetic descriptions), test base and novel
# (approaching/receding, clockwise/counter-clockwise) videos in one
# tools/test.py run: b2n/base_top1, b2n/novel_top1, b2n/hm. Frames are
# 64 pixels (the 14x14 positional embedding is resized to 4x4 on load).
_base_ = [
    '../_base_/models/msta_viclip-b16.py',
    '../_base_/datasets/synthetic_motion.py',
    '../_base_/schedules/synthetic_adamw_cosine_20e.py',
    '../_base_/default_runtime.py',
]
from mmvssm.utils import derive

base_classes = ['moving_left', 'moving_right', 'moving_up', 'moving_down']
novel_classes = [
    'approaching',
    'receding',
    'rotating_clockwise',
    'rotating_counterclockwise',
]
model = dict(
    backbone=dict(img_size=_base_.img_size),
    cls_head=dict(
        text_branch=dict(
            class_names=base_classes,
            novel_class_names=novel_classes,
            spatial_descriptions='synthetic_motion_spatial_base',
            temporal_descriptions='synthetic_motion_temporal_base',
            num_descriptions=2,
        )
    ),
)

# Base and novel classes render into folders of their own.
__base_root = _base_.data_root + '_base'
__novel_root = _base_.data_root + '_novel'
__val = _base_.val_dataloader.dataset
train_dataloader = dict(
    dataset=dict(classes=base_classes, data_root=__base_root)
)
__b2n = dict(
    _delete_=True,
    type='BaseNovelDataset',
    base=dict(__val, classes=base_classes, data_root=__base_root),
    novel=dict(__val, classes=novel_classes, data_root=__novel_root),
    num_base_classes=len(base_classes),
    num_novel_classes=len(novel_classes),
)
val_dataloader = dict(dataset=__b2n)
test_dataloader = dict(
    dataset=dict(
        __b2n,
        base=dict(__b2n['base'], split='test'),
        novel=dict(__b2n['novel'], split='test'),
    )
)
val_evaluator = dict(_delete_=True, type='BaseNovelMetric')
test_evaluator = val_evaluator

# The logged recipe's optimiser (AdamW 1e-3, wd 1e-3, betas 0.9/0.98),
# 5 epochs here; checkpoints kept by base accuracy (as the logs select).
max_epochs = 5
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
optim_wrapper = dict(
    _delete_=True,
    optimizer=dict(
        type='AdamW', lr=1e-3, weight_decay=1e-3, betas=(0.9, 0.98)
    ),
)
param_scheduler = derive.warmup_cosine(_base_, epochs=max_epochs)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='b2n/base_top1'),
)
