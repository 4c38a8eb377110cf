# Copyright (c) mmvssm contributors. All rights reserved.
# CLIP ViT-B/16 zero-shot on UCF101 (split 1 test list, 101 classes): no
# training; `python tools/test.py CONFIG` with the OpenAI weights in
# checkpoints/ViT-B-16.pt. Views: the common 8-frame test pipeline (4 clips x
# 3 crops, softmax averaged); ActionCLIP's 16 prompt templates, embeddings
# averaged. No numbers measured here yet.
_base_ = [
    '../_base_/models/clip_vit-b16.py',
    '../_base_/datasets/ucf101.py',
    '../_base_/default_runtime.py',
]

model = dict(cls_head=dict(text_branch=dict(class_names='ucf101')))

# Test only.
train_dataloader = train_cfg = optim_wrapper = param_scheduler = None
val_dataloader = val_cfg = val_evaluator = None
test_cfg = dict(type='TestLoop')
