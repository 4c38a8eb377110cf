# Copyright (c) mmvssm contributors. All rights reserved.
# VideoMamba-Ti, 64x384x384, from the 64-frame 224 Kinetics-400 model.
# paper: top-1/top-5 80.3 / 94.8, 202 GFLOPs x 3 crops x 4 clips
_base_ = ['./videomamba-tiny_in1k-pre_16xb16-u64-70e_kinetics400-rgb.py']


def __resized(t):
    """A resize or crop transform set to ``img_size``."""
    if t.type == 'Resize':
        return dict(t, scale=tuple(img_size if s > 0 else s for s in t.scale))
    return dict(t, crop_size=img_size) if 'crop_size' in t else t


img_size = 384
train_pipeline, val_pipeline, test_pipeline = (
    [__resized(t) for t in p]
    for p in (_base_.train_pipeline, _base_.val_pipeline, _base_.test_pipeline)
)
# The previous stage with its head, converted by
# tools/model_converters/videomamba_official_to_mmvssm.py; position
# tables are resized on load.
load_from = 'checkpoints/videomamba_t16_k400_f64_res224_mmvssm.pth'
model = dict(backbone=dict(img_size=img_size, init_cfg=None))
train_dataloader = dict(batch_size=6, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
# Official LR rule: 5e-6 (base) x 16 GPUs x 6 videos x 2 repeats / 256.
optim_wrapper = dict(optimizer=dict(lr=3.75e-06, weight_decay=1e-08))
auto_scale_lr = dict(base_batch_size=96)
train_cfg = dict(max_epochs=10)
# Warm-up from and decay to 1e-6 x the batch scaling (1e-6 / base lr).
param_scheduler = [
    dict(_base_.param_scheduler[0], start_factor=0.2, end=2),
    dict(
        _base_.param_scheduler[1], eta_min_ratio=0.2, begin=2, T_max=8, end=10
    ),
]
