# AdamW with linear warm-up then cosine decay, per iteration; the VideoMamba
# and ViT fine-tuning recipe. Configs override lr, epochs and warm-up.
max_epochs = 50
warmup_epochs = 5

train_cfg = dict(
    type='EpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_begin=1,
    val_interval=1,
)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=8e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05
    ),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
)

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True,
    ),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min_ratio=1e-3,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True,
    ),
]

# Scale the lr by (total batch) / base_batch_size with --auto-scale-lr.
auto_scale_lr = dict(enable=False, base_batch_size=256)
