# Copyright (c) mmvssm contributors. All rights reserved.
# The CPU schedule of the synthetic motion jobs: AdamW, one epoch of linear
# warm-up, cosine decay to 1% per iteration, validation every 2 epochs,
# seed 0. Rows change the epochs by re-deriving train_cfg and the scheduler
# from _base_ (see configs/README.md).
max_epochs = 20
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=2
)

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=10),
)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True,
    ),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - 1,
        eta_min_ratio=0.01,
        by_epoch=True,
        begin=1,
        end=max_epochs,
        convert_to_iter_based=True,
    ),
]
randomness = dict(seed=0)
auto_scale_lr = dict(enable=False, base_batch_size=8)
