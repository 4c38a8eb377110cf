# A stock mmaction2 config using mmvssm through custom_imports: mmaction's
# scope and runtime base; mmvssm classes named with the 'mmvssm.' prefix.
_base_ = ['mmaction::_base_/default_runtime.py']

custom_imports = dict(imports=['mmvssm'], allow_failed_imports=False)

num_frames = 8
img_size = 64
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='mmvssm.VideoMamba',
        arch=dict(embed_dims=64, num_layers=4),
        img_size=img_size,
        patch_size=8,
        num_frames=num_frames,
    ),
    cls_head=dict(
        type='TimeSformerHead',
        num_classes=8,
        in_channels=64,
        average_clips='prob',
    ),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[127.5, 127.5, 127.5],
        std=[64.0, 64.0, 64.0],
        format_shape='NCTHW',
    ),
)

dataset = dict(
    type='mmvssm.SyntheticMotionDataset',
    data_root='data/synthetic_motion',
    num_frames=16,
    resolution=img_size,
)
train_pipeline = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(
        type='UniformSample', clip_len=num_frames, num_clips=1, test_mode=True
    ),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(split='train', pipeline=train_pipeline, **dataset),
)
val_dataloader = dict(
    batch_size=8,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        split='val', pipeline=val_pipeline, test_mode=True, **dataset
    ),
)
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=10, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=5),
)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=10, by_epoch=True, eta_min=1e-5)
]
