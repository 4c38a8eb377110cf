# Copyright (c) mmvssm contributors. All rights reserved.
# MoMa ViT-B/16 (frozen OpenAI CLIP), 16x224x224, Kinetics-400.
# paper: top-1 84.8, 902 GFLOPs (3 views), 11M trainable parameters.
# The root of the MoMa rows: the recipe is written out here once. Known from
# the paper: AdamW lr 3e-4, weight decay 0.05, 30 epochs, fp16 (pass --amp),
# 8 GPUs. The rest follows AIM's mmaction2 recipe (our reconstruction):
# batch 8 x 8 GPUs, 2.5-epoch linear warm-up then cosine, dense sampling
# 16x4, RandomResizedCrop + flip, 3 clips x 1 centre crop at test, no weight
# decay on norms and biases.
_base_ = [
    '../_base_/models/moma_vit-b16.py',
    '../_base_/datasets/kinetics400.py',
    '../_base_/default_runtime.py',
]
from mmvssm.utils import derive

num_frames = 16
frame_interval = 4
img_size = 224
clip_checkpoint = 'checkpoints/ViT-B-16.pt'

__files = _base_.file_client_args
__sample = dict(
    type='SampleFrames',
    clip_len=num_frames,
    frame_interval=frame_interval,
    num_clips=1,
)
train_pipeline = derive.decord_pipeline(
    __sample,
    [
        dict(type='Resize', scale=(-1, 256)),
        dict(type='RandomResizedCrop'),
        dict(type='Resize', scale=(img_size, img_size), keep_ratio=False),
        dict(type='Flip', flip_ratio=0.5),
    ],
    **__files,
)
__eval_sample = dict(__sample, test_mode=True)
val_pipeline = derive.eval_pipeline(__eval_sample, img_size, **__files)
# 3 clips x 1 centre crop (the paper's GFLOPs are totals over these views).
test_pipeline = derive.update_transform(
    val_pipeline, 'SampleFrames', num_clips=3
)
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

max_epochs = 30
warmup_epochs = 2.5
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5
)
# The foundation is frozen (requires_grad off) whatever is set here: its
# parameters get no gradient and hence no optimizer state.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=3e-4, betas=(0.9, 0.999), weight_decay=0.05
    ),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
)
param_scheduler = derive.linear_cosine(
    max_epochs, warmup_epochs, 0.01, eta_min=0.0
)
default_hooks = dict(
    checkpoint=dict(interval=1, max_keep_ckpts=3, save_best='auto')
)
# Linear LR scaling with --auto-scale-lr (8 GPUs x 8 videos).
auto_scale_lr = dict(enable=False, base_batch_size=64)
