# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 16x288x288, from the 16-frame 224 SSv2 model.
# paper: top-1/top-5 66.2 / 90.0, 28 GFLOPs x 3 crops x 2 clips
# GPUs x batch are not given in the official scripts: 16 x 8 chosen.
_base_ = ['./videomamba-tiny_in1k-pre_8xb64-u16-35e_sthv2-rgb.py']
from mmvssm.utils import derive

img_size = 288
train_pipeline, val_pipeline, test_pipeline = derive.resize(_base_, img_size)
# The previous stage with its head, converted by
# tools/model_converters/videomamba_official_to_mmvssm.py; position
# tables are resized on load.
load_from = 'checkpoints/videomamba_t16_ssv2_f16_res224_mmvssm.pth'
model = dict(backbone=dict(img_size=img_size, init_cfg=None))
train_dataloader, val_dataloader, test_dataloader = derive.with_pipelines(
    train_pipeline, val_pipeline, test_pipeline, batch_size=8
)
optim_wrapper, auto_scale_lr = derive.official_lr(
    5e-6, gpus=16, videos=8, weight_decay=1e-08
)
train_cfg = dict(max_epochs=10)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = derive.warmup_cosine(_base_, epochs=10, warmup=2, floor=0.2)
