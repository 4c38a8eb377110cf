# Copyright (c) mmvssm contributors. All rights reserved.
# Video-text retrieval on the synthetic motion set (CPU): the videomamba-mini
# video encoder of the CPU main job (cls+avg pooling) and a small CLIP text
# encoder (a generated OpenAI-layout checkpoint:
#   python tools/misc/make_tiny_clip.py checkpoints/tiny_clip_p8_w64.pth),
# trained with the contrastive + matching losses on our own captions of the
# synthetic classes; tools/test.py prints R@1/5/10, MdR and MnR for
# text-to-video and video-to-text.
_base_ = [
    '../videomamba/videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py'
]
from mmvssm.utils import derive

clip_checkpoint = 'checkpoints/tiny_clip_p8_w64.pth'
model = dict(
    _delete_=True,
    type='VideoTextRetriever',
    backbone=_base_.model.backbone,
    text_encoder=dict(
        type='CLIPTextTransformer',
        arch=dict(width=64, depth=2, num_heads=2, embed_dims=32),
        init_cfg=dict(type='Pretrained', checkpoint=clip_checkpoint),
    ),
    embed_dims=32,
    pool_type='cls+avg',
    data_preprocessor=_base_.model.data_preprocessor,
)

__meta_keys = ('img_shape', 'caption', 'video_id')
train_pipeline, val_pipeline = (
    derive.update_transform(p, 'PackActionInputs', meta_keys=__meta_keys)
    for p in (_base_.train_pipeline, _base_.val_pipeline)
)
__captions = dict(type='SyntheticCaptionDataset', pipeline=val_pipeline)
train_dataloader = dict(dataset=dict(__captions, pipeline=train_pipeline))
val_dataloader = test_dataloader = dict(dataset=__captions)
val_evaluator = dict(_delete_=True, type='RetrievalMetric')
test_evaluator = val_evaluator

max_epochs = 5
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = derive.warmup_cosine(_base_, epochs=max_epochs)
default_hooks = dict(
    checkpoint=dict(interval=5, save_best='retrieval/t2v_R@1', rule='greater')
)
