# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 64x384x384, from the 64-frame 224 Kinetics-400 model.
# paper: top-1/top-5 80.3 / 94.8, 202 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-tiny_in1k-pre_16xb16-u64-70e_kinetics400-rgb.py']
from mmvssm.utils import derive

img_size = 384
train_pipeline, val_pipeline, test_pipeline = derive.resize(_base_, img_size)
# The previous stage with its head, converted by
# tools/model_converters/videomamba_official_to_mmvssm.py; position
# tables are resized on load.
load_from = 'checkpoints/videomamba_t16_k400_f64_res224_mmvssm.pth'
model = dict(backbone=dict(img_size=img_size, init_cfg=None))
train_dataloader, val_dataloader, test_dataloader = derive.with_pipelines(
    train_pipeline, val_pipeline, test_pipeline, batch_size=6
)
optim_wrapper, auto_scale_lr = derive.official_lr(
    5e-6, gpus=16, videos=6, weight_decay=1e-08
)
train_cfg = dict(max_epochs=10)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = derive.warmup_cosine(_base_, epochs=10, warmup=2, floor=0.2)
