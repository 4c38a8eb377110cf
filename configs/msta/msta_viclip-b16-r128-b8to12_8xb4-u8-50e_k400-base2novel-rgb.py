# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA base-to-novel on Kinetics-400, the authors' logged recipe (the root
# of every MSTA row): ViCLIP-B/16, adapters in blocks 8-12 with r = 128
# (1.744M trainable), CE + L_CC with N = 2 descriptions, 8 frames, AdamW
# lr 1e-3, wd 1e-3, betas (0.9, 0.98), 5 linear warm-up epochs then cosine
# to lr/100, 50 epochs, 8 GPUs x 4 videos, no mixup / cutmix / label
# smoothing, evaluation every 5 epochs keeping the best base accuracy, test
# 4 clips x 3 crops. Training: 16 shots of each of the 200 base classes
# (ViFi-CLIP's fs_base_s1_train.txt); one tools/test.py run reports base,
# novel and HM accuracy (BaseNovelDataset + BaseNovelMetric).
# Files, put under data/ by hand: ViFi-CLIP's datasets_splits/ and labels/
# in data/vificlip/, MSTA's description JSONs in data/msta_descriptions/,
# the videos in data/kinetics400/ (train/ and val/ as the lists name them),
# the weights in checkpoints/ViCLIP-B_InternVid-FLT-10M.pth.
# ViFi-CLIP's ColorJitter (p = 0.8) without its hue jitter (mmaction2
# 1.2.0's hue shift overflows under numpy 2) and GrayScale (p = 0.2). Not
# reproduced: its random multi-view test sampling (here: uniform 4 x 3).
_base_ = [
    '../_base_/models/msta_viclip-b16.py',
    '../_base_/datasets/kinetics400.py',
    '../_base_/default_runtime.py',
]
from mmvssm.utils import derive

num_frames = 8
img_size = 224
splits = 'data/vificlip/datasets_splits'
labels = 'data/vificlip/labels'
descriptions = 'data/msta_descriptions'
data_root = 'data/kinetics400'
b2n_splits = splits + '/base2novel_splits/k400_splits'
ann_file_train = b2n_splits + '/fs_base_s1_train.txt'
ann_file_base_val = b2n_splits + '/base_val.txt'
ann_file_novel_val = b2n_splits + '/novel_val.txt'
base_class_names = labels + '/kinetics_400_base_labels.csv'
novel_class_names = labels + '/kinetics_400_novel_labels.csv'
num_base_classes = 200
num_novel_classes = 200
spatial_descriptions = descriptions + '/2_s_description_k400_base.json'
temporal_descriptions = descriptions + '/2_t_description_k400_base.json'
test_clips = 4

model = dict(
    backbone=dict(num_frames=num_frames, img_size=img_size),
    cls_head=dict(
        text_branch=dict(
            class_names=base_class_names,
            novel_class_names=novel_class_names,
            spatial_descriptions=spatial_descriptions,
            temporal_descriptions=temporal_descriptions,
            num_descriptions=2,
        )
    ),
)

__files = _base_.file_client_args
__jitter = dict(
    type='ColorJitter', brightness=0.4, contrast=0.4, saturation=0.2, hue=0.0
)
# TSN segments: one random frame from each of 8 segments, as one clip.
__sample = dict(type='UniformSample', clip_len=num_frames, num_clips=1)
train_pipeline = derive.decord_pipeline(
    __sample,
    [
        dict(type='Resize', scale=(-1, 256)),
        dict(
            type='MultiScaleCrop',
            input_size=img_size,
            scales=(1, 0.875, 0.75, 0.66),
            random_crop=False,
            max_wh_scale_gap=1,
        ),
        dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
        dict(type='RandomApply', transforms=[__jitter], prob=0.8),
        dict(type='VideoRandomGrayscale', prob=0.2),
    ],
    **__files,
)
__eval_sample = dict(__sample, test_mode=True)
val_pipeline = derive.eval_pipeline(__eval_sample, img_size, **__files)
test_pipeline = derive.eval_pipeline(
    dict(__eval_sample, num_clips=test_clips), img_size, 'ThreeCrop', **__files
)

train_dataloader = dict(
    batch_size=4,
    dataset=dict(
        ann_file=ann_file_train,
        data_prefix=dict(video=data_root),
        pipeline=train_pipeline,
    ),
)
__part = dict(
    type='VideoDataset', data_prefix=dict(video=data_root), test_mode=True
)
__b2n = dict(
    _delete_=True,
    type='BaseNovelDataset',
    base=dict(__part, ann_file=ann_file_base_val, pipeline=val_pipeline),
    novel=dict(__part, ann_file=ann_file_novel_val, pipeline=val_pipeline),
    num_base_classes=num_base_classes,
    num_novel_classes=num_novel_classes,
)
val_dataloader = dict(batch_size=2, dataset=__b2n)
test_dataloader = dict(
    batch_size=1,
    dataset=dict(
        __b2n,
        base=dict(__b2n['base'], pipeline=test_pipeline),
        novel=dict(__b2n['novel'], pipeline=test_pipeline),
    ),
)
val_evaluator = dict(type='BaseNovelMetric')
test_evaluator = val_evaluator

max_epochs = 50
warmup_epochs = 5
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5
)
lr = 1e-3
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=lr, weight_decay=1e-3, betas=(0.9, 0.98), eps=1e-8
    )
)
param_scheduler = derive.linear_cosine(
    max_epochs, warmup_epochs, 1e-3, eta_min=lr / 100
)
default_hooks = dict(
    checkpoint=dict(interval=5, max_keep_ckpts=2, save_best='b2n/base_top1')
)
randomness = dict(seed=2048)
# The logged runs: 8 GPUs x 4 videos.
auto_scale_lr = dict(enable=False, base_batch_size=32)
