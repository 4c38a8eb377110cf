# A small 3D CNN (ResNet3d-18, 16 base channels, 3x3x3 kernels) trained from
# scratch on the embedded synthetic motion set: a fast CPU baseline and the
# model of the end-to-end tool tests. About 2M parameters.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/synthetic_motion.py',
    '../_base_/schedules/synthetic_adamw_cosine_20e.py',
]

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d',
        depth=18,
        base_channels=16,
        pretrained=None,
        pretrained2d=False,
        conv1_kernel=(3, 7, 7),
        inflate=(1, 1, 1, 1),
    ),
    cls_head=dict(
        type='I3DHead',
        num_classes=8,
        in_channels=128,
        dropout_ratio=0.3,
        average_clips='prob',
    ),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[127.5, 127.5, 127.5],
        std=[64.0, 64.0, 64.0],
        format_shape='NCTHW',
    ),
)

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=2, max_keep_ckpts=2, save_best='auto'),
)
