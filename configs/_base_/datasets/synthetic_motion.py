# Copyright (c) mmvssm contributors. All rights reserved.
# Embedded synthetic motion dataset: rendered into data_root on first use
# (about 500 small mp4 files, a few seconds), then read like any mmaction2
# VideoDataset. 8 classes = 4 time-reversal pairs (left/right, up/down,
# approaching/receding, clockwise/counter-clockwise), so averaging frames
# cannot tell a class from its partner. No horizontal Flip: it would turn
# 'moving_left' into 'moving_right'.
dataset_type = 'SyntheticMotionDataset'
data_root = 'data/synthetic_motion'
# Generation arguments shared by the splits; changing them re-renders.
render_cfg = dict(num_frames=16, resolution=64, fps=8, seed=0)
clip_len = 8
img_size = 64

train_pipeline = [
    dict(type='DecordInit'),
    # One random frame per segment: jitters the timing, keeps the order.
    dict(type='UniformSample', clip_len=clip_len, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    # Mild crop (shifts and zooms a little, keeps the object in view).
    dict(
        type='RandomResizedCrop',
        area_range=(0.7, 1.0),
        aspect_ratio_range=(0.9, 1.1),
    ),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = val_pipeline

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        num_videos_per_class=48,
        pipeline=train_pipeline,
        **render_cfg,
    ),
)
val_dataloader = dict(
    train_dataloader,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        train_dataloader['dataset'],
        split='val',
        num_videos_per_class=12,
        pipeline=val_pipeline,
        test_mode=True,
    ),
)
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], split='test')
)

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
