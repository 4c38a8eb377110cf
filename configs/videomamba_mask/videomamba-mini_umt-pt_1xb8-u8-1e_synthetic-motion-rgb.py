# Copyright (c) mmvssm contributors. All rights reserved.
# UMT-style masked pre-training on the synthetic motion set (CPU): the
# videomamba-mini student of the CPU main job sees 20% of its tokens
# (attention-guided mask, 80%) and aligns them with a frozen small CLIP
# teacher. The teacher is a generated OpenAI-layout checkpoint:
#   python tools/misc/make_tiny_clip.py checkpoints/tiny_clip_p8_w64.pth
# One epoch; no validation (nothing to classify yet). Fine-tune with
# ..._umt-pt-ft_...-5e_... .
_base_ = [
    '../videomamba/videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py'
]

teacher_checkpoint = 'checkpoints/tiny_clip_p8_w64.pth'
model = dict(
    _delete_=True,
    type='UMTPretrainer',
    backbone=_base_.model.backbone,
    teacher=dict(
        type='CLIPVisionTransformer',
        arch=dict(patch_size=8, width=64, depth=2, num_heads=2, embed_dims=32),
        img_size=_base_.img_size,
        init_cfg=dict(type='Pretrained', checkpoint=teacher_checkpoint),
    ),
    mask_type='attention',
    mask_ratio=0.8,
    num_align_layers=1,
    data_preprocessor=_base_.model.data_preprocessor,
)

max_epochs = 1
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
optim_wrapper = dict(optimizer=dict(lr=1e-3, betas=(0.9, 0.95)))
param_scheduler = [
    dict(_base_.param_scheduler[0], end=max_epochs),
]
default_hooks = dict(checkpoint=dict(interval=1, save_best=None))
