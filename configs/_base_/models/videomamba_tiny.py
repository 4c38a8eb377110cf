# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti (192 wide, 24 blocks) on a Recognizer3D with a linear head on
# the cls token; 8 frames at 224x224, Kinetics-400 classes. ImageNet
# mean/std on the 0-255 scale, as the official recipe.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='VideoMamba',
        arch='tiny',
        img_size=224,
        patch_size=16,
        num_frames=8,
        tubelet_size=1,
        drop_path_rate=0.1,
        out_type='cls_token',
    ),
    cls_head=dict(
        type='TimeSformerHead',
        num_classes=400,
        in_channels=192,
        dropout_ratio=0.0,
        average_clips='prob',
    ),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW',
    ),
)
