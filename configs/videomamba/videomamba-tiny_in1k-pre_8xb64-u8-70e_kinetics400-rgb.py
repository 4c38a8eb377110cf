# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 8x224x224, ImageNet-1K init, Kinetics-400.
# paper: top-1/top-5 76.9 / 92.9, 9 GFLOPs x 3 crops x 4 clips
_base_ = [
    '../_base_/models/videomamba_tiny.py',
    '../_base_/datasets/kinetics400.py',
    '../_base_/default_runtime.py',
]
from mmvssm.utils import derive

num_classes = 400
# RandAugment rand-m5-n2-mstd0.25-inc1
rand_augment = dict(magnitude=5, num_layers=2, magnitude_std=0.25)
num_frames = 8
img_size = 224
# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_t16_in1k_res224.pth'

model = dict(
    backbone=dict(
        num_frames=num_frames,
        img_size=img_size,
        drop_path_rate=0.1,
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

__sample = dict(type='UniformSample', clip_len=num_frames, num_clips=1)
__bicubic = dict(interpolation='bicubic')
train_pipeline = derive.decord_pipeline(
    __sample,
    [
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
            **__bicubic,
        ),
        dict(type='Flip', flip_ratio=0.5),
        dict(type='RandomErasing', erase_prob=0.25, mode='rand'),
    ],
)
__eval_sample = dict(__sample, test_mode=True)
val_pipeline = derive.eval_pipeline(__eval_sample, img_size, resize=__bicubic)
test_pipeline = derive.eval_pipeline(
    dict(__eval_sample, num_clips=4), img_size, 'ThreeCrop', resize=__bicubic
)
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
    type='EpochBasedTrainLoop', max_epochs=70, val_begin=1, val_interval=1
)
optim_wrapper = dict(
    # bf16 autocast, as the official runs (needs a CUDA device).
    type='AmpOptimWrapper',
    dtype='bfloat16',
    # Official LR rule: 0.0002 (base) x 8 GPUs x 64 videos x 2 repeats / 256.
    optimizer=dict(
        type='AdamW', lr=0.0008, weight_decay=0.1, betas=(0.9, 0.999), eps=1e-8
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
param_scheduler = derive.linear_cosine(70, 5, 0.005, eta_min_ratio=0.005)
# --auto-scale-lr rescales lr from this many videos per step.
auto_scale_lr = dict(enable=False, base_batch_size=512)

default_hooks = dict(
    checkpoint=dict(interval=1, max_keep_ckpts=3, save_best='auto'),
    logger=dict(interval=100),
)
