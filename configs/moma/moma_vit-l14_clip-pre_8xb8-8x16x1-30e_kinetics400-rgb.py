# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-L/14, 8x224x224 (dense 8x16 sampling), Kinetics-400.
# paper: top-1 86.7 (from the paper's limitations section; unverified).
_base_ = ['./moma_vit-l14_clip-pre_8xb8-16x4x1-30e_kinetics400-rgb.py']

num_frames = 8
frame_interval = 16
train_pipeline, val_pipeline, test_pipeline = (
    [
        dict(t, clip_len=num_frames, frame_interval=frame_interval)
        if t.type == 'SampleFrames'
        else t
        for t in p
    ]
    for p in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)
)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
