# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 8x224x224, ImageNet-1K init, Something-Something V2.
# paper: top-1/top-5 65.1 / 89.1, 9 GFLOPs x 3 crops x 2 clips
_base_ = ['./videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb.py']

data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'
num_classes = 174
# No horizontal flip: it turns "left to right" into "right to left".
train_pipeline = [t for t in _base_.train_pipeline if t.type != 'Flip']
# 2 clips x 3 crops at test.
test_pipeline = [
    dict(t, num_clips=2) if 'num_clips' in t else t
    for t in _base_.test_pipeline
]
__mix = _base_.model.data_preprocessor.blending.augments
model = dict(
    cls_head=dict(num_classes=num_classes),
    data_preprocessor=dict(
        blending=dict(
            augments=[dict(a, num_classes=num_classes) for a in __mix]
        )
    ),
)
__files = dict(ann_file=ann_file_val, data_prefix=dict(video=data_root))
train_dataloader = dict(
    dataset=dict(__files, ann_file=ann_file_train, pipeline=train_pipeline)
)
val_dataloader = dict(dataset=__files)
test_dataloader = dict(dataset=dict(__files, pipeline=test_pipeline))
# Official LR rule: 0.0004 (base) x 8 GPUs x 64 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=0.0016))
train_cfg = dict(max_epochs=35)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = [
    dict(_base_.param_scheduler[0], start_factor=0.0025),
    dict(_base_.param_scheduler[1], eta_min_ratio=0.0025, T_max=30, end=35),
]
