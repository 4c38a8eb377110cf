# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M, 16x224x224, masked-pretrained on Kinetics-400, fine-tuned.
# paper: top-1/top-5 83.4 / 95.9, 202 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-middle_k400-mask-pre_16xb32-u8-45e_kinetics400-rgb.py']

rand_augment = _base_.rand_augment
num_frames = 16
img_size = 224
# Official weights (OpenGVLab/VideoMamba MODEL_ZOO), put in checkpoints/ by hand.
pretrained = 'checkpoints/videomamba_m16_k400_mask_pt_f8_res224.pth'

model = dict(
    backbone=dict(
        num_frames=num_frames,
        img_size=img_size,
        drop_path_rate=0.4,
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
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

# Official LR rule: 0.0001 (base) x 16 GPUs x 16 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=0.0002))
# --auto-scale-lr rescales lr from this many videos per step.
auto_scale_lr = dict(enable=False, base_batch_size=256)
