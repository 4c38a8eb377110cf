# Copyright (c) mmvssm contributors. All rights reserved.
# Video-text retrieval fine-tuning on MSR-VTT (9k train / 1k-A test):
# VideoMamba-M from the K400 masked-pretrained weights (cls+avg pooling),
# the CLIP ViT-B/16 text encoder (checkpoints/ViT-B-16.pt), contrastive +
# matching losses, 8 frames at 224, drop path 0.25. Annotation files: JSON
# lists of {"video": ..., "caption": ...} (tools/data/README.md).
# Paper (zero-shot T2V R@1/5/10 after 25M-pair pre-training): 35.6/58.1/69.5
_base_ = [
    '../videomamba/'
    'videomamba-middle_k400-mask-pre_16xb32-u8-45e_kinetics400-rgb.py'
]
from mmvssm.utils import derive

clip_checkpoint = 'checkpoints/ViT-B-16.pt'
model = dict(
    _delete_=True,
    type='VideoTextRetriever',
    backbone=dict(_base_.model.backbone, drop_path_rate=0.25),
    text_encoder=dict(
        type='CLIPTextTransformer',
        arch='b16',
        init_cfg=dict(type='Pretrained', checkpoint=clip_checkpoint),
    ),
    embed_dims=512,
    pool_type='cls+avg',
    # No mixup / cutmix: there are no class labels.
    data_preprocessor={
        k: v
        for k, v in _base_.model.data_preprocessor.items()
        if k != 'blending'
    },
)

__meta_keys = ('img_shape', 'caption', 'video_id')
train_pipeline = derive.update_transform(
    [
        t
        for t in _base_.train_pipeline
        if t.type not in ('VideoRandAugment', 'RandomErasing')
    ],
    'PackActionInputs',
    meta_keys=__meta_keys,
)
test_pipeline = derive.update_transform(
    _base_.val_pipeline, 'PackActionInputs', meta_keys=__meta_keys
)
data_root = 'data/msrvtt/videos'
ann_file_train = 'data/msrvtt/annotations/msrvtt_9k_train.json'
ann_file_test = 'data/msrvtt/annotations/msrvtt_1ka_test.json'
__captions = dict(
    _delete_=True,
    type='VideoCaptionDataset',
    data_prefix=dict(video=data_root),
)
train_dataloader = dict(
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(__captions, ann_file=ann_file_train, pipeline=train_pipeline),
)
__test = dict(ann_file=ann_file_test, pipeline=test_pipeline, test_mode=True)
val_dataloader = dict(batch_size=32, dataset=dict(__captions, **__test))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='RetrievalMetric')
test_evaluator = val_evaluator

max_epochs = 5
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(
    optimizer=dict(lr=1e-4), paramwise_cfg=dict(layer_decay_rate=1.0)
)
param_scheduler = derive.warmup_cosine(_base_, epochs=max_epochs, warmup=1)
default_hooks = dict(
    checkpoint=dict(save_best='retrieval/t2v_R@1', rule='greater')
)
