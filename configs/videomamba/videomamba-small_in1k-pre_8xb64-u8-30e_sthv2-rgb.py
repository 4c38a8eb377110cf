# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-S, 8x224x224, ImageNet-1K init, Something-Something V2.
# paper: top-1/top-5 66.6 / 90.4, 34 GFLOPs x 3 crops x 2 clips
_base_ = [
    '../_base_/models/videomamba_small.py',
    '../_base_/datasets/sthv2.py',
    '../_base_/default_runtime.py',
]

num_classes = 174
# RandAugment rand-m7-n4-mstd0.5-inc1
rand_augment = dict(magnitude=7, num_layers=4, magnitude_std=0.5)
num_frames = 8
img_size = 224
# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_s16_in1k_res224.pth'

model = dict(
    backbone=dict(
        num_frames=num_frames,
        img_size=img_size,
        drop_path_rate=0.35,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained),
    ),
    cls_head=dict(num_classes=num_classes, label_smooth_eps=0.1),
    data_preprocessor=dict(
        blending=dict(
            type='RandomBatchAugment',
            augments=[
                dict(type='MixupBlending', alpha=0.8, num_classes=num_classes),
                dict(
                    type='CutmixBlending', alpha=1.0, num_classes=num_classes
                ),
            ],
        )
    ),
)

train_pipeline = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='VideoRandAugment', **rand_augment),
    dict(
        type='RandomResizedCrop',
        area_range=(0.08, 1.0),
        aspect_ratio_range=(3 / 4, 4 / 3),
    ),
    dict(
        type='Resize',
        scale=(img_size, img_size),
        keep_ratio=False,
        interpolation='bicubic',
    ),
    dict(type='RandomErasing', erase_prob=0.25, mode='rand'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='UniformSample', clip_len=num_frames, num_clips=1, test_mode=True
    ),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size), interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='UniformSample',
        clip_len=num_frames,
        num_clips=2,
        test_mode=True,
    ),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size), interpolation='bicubic'),
    dict(type='ThreeCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    # Repeated augmentation: each video is decoded once and augmented twice.
    collate_fn=dict(type='repeat_pseudo_collate'),
    dataset=dict(
        type='RepeatAugDataset',
        num_repeats=2,
        sample_once=True,
        pipeline=train_pipeline,
    ),
)
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=1
)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    # bf16 autocast, as the official runs (needs a CUDA device).
    type='AmpOptimWrapper',
    dtype='bfloat16',
    # Official LR rule: 0.0004 (base) x 8 GPUs x 64 videos x 2 repeats / 256.
    optimizer=dict(
        type='AdamW',
        lr=0.0016,
        weight_decay=0.05,
        betas=(0.9, 0.999),
        eps=1e-8,
    ),
    # The released code's layer decay touches only the stem (patch
    # embedding, cls token, position table): decay_type='stem_only'.
    constructor='LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.75,
        decay_type='stem_only',
        bias_decay_mult=0.0,
        flat_decay_mult=0.0,
    ),
)
# Linear warm-up from and cosine decay to 1e-6 x the same batch scaling.
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.0025,
        by_epoch=True,
        begin=0,
        end=5,
        convert_to_iter_based=True,
    ),
    dict(
        type='CosineAnnealingLR',
        T_max=25,
        eta_min_ratio=0.0025,
        by_epoch=True,
        begin=5,
        end=30,
        convert_to_iter_based=True,
    ),
]
# --auto-scale-lr rescales lr from this many videos per step.
auto_scale_lr = dict(enable=False, base_batch_size=512)

default_hooks = dict(
    checkpoint=dict(interval=1, max_keep_ckpts=3, save_best='auto'),
    logger=dict(interval=100),
)
