# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-M masked pre-training on Kinetics-400 (paper §3.4 / appendix
# Table II): from scratch, 8 frames at 224x224, a frozen CLIP ViT-B/16
# teacher (OpenAI ViT-B-16.pt in checkpoints/, put there by hand), 80%
# attention-guided masking, the last layer aligned. 32 GPUs x 64 clips,
# AdamW (0.9, 0.95), wd 0.05, lr 1.5e-4 x 2048 / 256 = 1.2e-3, cosine to
# 1e-5 x 8, 40 warm-up epochs, 800 epochs, drop path 0.4,
# MultiScaleCrop(1, .875, .75, .66) + flip.
# Fine-tune with configs/videomamba_mask/videomamba-middle_umt-pt-ft_*.
_base_ = [
    '../videomamba/videomamba-middle_in1k-pre_16xb32-u8-50e_kinetics400-rgb.py'
]
from mmvssm.utils import derive

model = dict(
    _delete_=True,
    type='UMTPretrainer',
    backbone=dict(
        _base_.model.backbone,
        drop_path_rate=0.4,
        init_cfg=None,
    ),
    teacher=dict(
        type='CLIPVisionTransformer',
        arch='b16',
        img_size=224,
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/ViT-B-16.pt'),
    ),
    mask_type='attention',
    mask_ratio=0.8,
    num_align_layers=1,
    data_preprocessor=_base_.model.data_preprocessor,
)

train_pipeline = derive.decord_pipeline(
    dict(type='UniformSample', clip_len=8, num_clips=1),
    [
        dict(type='Resize', scale=(-1, 256)),
        dict(
            type='MultiScaleCrop',
            input_size=224,
            scales=(1, 0.875, 0.75, 0.66),
            random_crop=False,
            max_wh_scale_gap=1,
        ),
        dict(type='Resize', scale=(224, 224), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
    ],
)
train_dataloader = dict(
    batch_size=64,
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        _delete_=True,
        type=_base_.dataset_type,
        ann_file=_base_.ann_file_train,
        data_prefix=dict(video=_base_.data_root),
        pipeline=train_pipeline,
    ),
)
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None

max_epochs = 800
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
optim_wrapper = dict(
    _delete_=True,
    type='AmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW', lr=1.2e-3, betas=(0.9, 0.95), weight_decay=0.05
    ),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
)
param_scheduler = derive.linear_cosine(max_epochs, 40, 1e-3, eta_min=8e-5)
default_hooks = dict(checkpoint=dict(interval=20, save_best=None))
auto_scale_lr = dict(enable=False, base_batch_size=2048)
