# Copyright (c) mmvssm contributors. All rights reserved.
# CLIP ViT-B/16 zero-shot on the synthetic motion test split: the probe row
# with nothing trained (`python tools/test.py CONFIG`, weights from
# checkpoints/ViT-B-16.pt).
_base_ = ['./clip-vit-b16_proj-probe_1xb8-u8-5e_synthetic-motion-rgb.py']

model = dict(trainable=(), save_frozen=True)

# Test only.
train_dataloader = train_cfg = optim_wrapper = param_scheduler = None
val_dataloader = val_cfg = val_evaluator = None
