# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 64 frames, Breakfast: the 32-frame row with 64-frame clips
# sampled over the whole video, from the K400 64-frame model, 16 GPUs x 16.
# paper: top-1 94.3
_base_ = ['./videomamba-tiny_k400-f32-pre_8xb32-u32-70e_breakfast-rgb.py']

num_frames = 64
train_pipeline, val_pipeline, test_pipeline = (
    [dict(t, clip_len=num_frames) if 'clip_len' in t else t for t in p]
    for p in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)
)
model = dict(
    backbone=dict(
        num_frames=num_frames,
        init_cfg=dict(
            checkpoint='checkpoints/videomamba_t16_k400_f64_res224.pth'
        ),
    )
)
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
