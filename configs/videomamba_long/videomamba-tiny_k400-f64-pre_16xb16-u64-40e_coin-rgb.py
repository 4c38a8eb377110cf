# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 64 frames, COIN: the 32-frame COIN row with 64-frame
# clips, from the K400 64-frame model, 16 GPUs x 16.
# paper: top-1 87.0
_base_ = ['./videomamba-tiny_k400-f32-pre_8xb32-u32-40e_coin-rgb.py']
from mmvssm.utils import derive

num_frames = 64
train_pipeline, val_pipeline, test_pipeline = derive.retime(_base_, num_frames)
model = dict(
    backbone=dict(
        num_frames=num_frames,
        init_cfg=dict(
            checkpoint='checkpoints/videomamba_t16_k400_f64_res224.pth'
        ),
    )
)
train_dataloader, val_dataloader, test_dataloader = derive.with_pipelines(
    train_pipeline, val_pipeline, test_pipeline, batch_size=16
)
