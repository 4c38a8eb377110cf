# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-B/16, 32x224x224, Something-Something V2 (174 classes).
# paper: top-1 71.5, 1804 GFLOPs (3 views).
# From the Kinetics-400 root (AIM's SSv2 recipe, our reconstruction): 32
# frames sampled uniformly (a random frame per segment), no flip (it turns
# "left to right" into "right to left"), RandAugment n=4 m=7, random erasing
# 0.25, label smoothing 0.1, 50 epochs; test 1 clip x 3 crops.
_base_ = ['./moma_vit-b16_clip-pre_8xb8-16x4x1-30e_kinetics400-rgb.py']
from mmvssm.utils import derive

num_frames = 32
data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'


def __uniform(t, num_clips=1):
    return dict(
        type='UniformSample',
        clip_len=num_frames,
        num_clips=num_clips,
        test_mode=t.get('test_mode', False),
    )


__augment = [
    dict(type='VideoRandAugment', magnitude=7, num_layers=4),
    dict(type='RandomErasing', erase_prob=0.25, mode='rand'),
]
train_pipeline = [
    __uniform(t) if t['type'] == 'SampleFrames' else t
    for t in _base_.train_pipeline
    if t['type'] != 'Flip'
]
# RandAugment after decoding, random erasing before formatting.
train_pipeline = (
    train_pipeline[:3]
    + __augment[:1]
    + train_pipeline[3:-2]
    + __augment[1:]
    + train_pipeline[-2:]
)
val_pipeline = [
    __uniform(t) if t['type'] == 'SampleFrames' else t
    for t in _base_.val_pipeline
]
test_pipeline = [
    dict(type='ThreeCrop', crop_size=t['crop_size'])
    if t['type'] == 'CenterCrop'
    else t
    for t in val_pipeline
]
model = dict(
    cls_head=dict(label_smooth_eps=0.1, text_branch=dict(class_names='sthv2'))
)
__files = dict(ann_file=ann_file_val, data_prefix=dict(video=data_root))
train_dataloader = dict(
    dataset=dict(__files, ann_file=ann_file_train, pipeline=train_pipeline)
)
val_dataloader = dict(dataset=dict(__files, pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(__files, pipeline=test_pipeline))
max_epochs = 50
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = derive.warmup_cosine(_base_, epochs=max_epochs)
