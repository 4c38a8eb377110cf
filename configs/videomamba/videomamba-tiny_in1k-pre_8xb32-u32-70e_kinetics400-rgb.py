# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 32x224x224, ImageNet-1K init, Kinetics-400.
# paper: top-1/top-5 78.8 / 93.9, 34 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb.py']

rand_augment = _base_.rand_augment
num_frames = 32
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
    dict(type='Flip', flip_ratio=0.5),
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
        num_clips=4,
        test_mode=True,
    ),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size), interpolation='bicubic'),
    dict(type='ThreeCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

# Official LR rule: 0.0002 (base) x 8 GPUs x 32 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=0.0004))
# --auto-scale-lr rescales lr from this many videos per step.
auto_scale_lr = dict(enable=False, base_batch_size=256)
