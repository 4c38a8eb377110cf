# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA on OpenAI CLIP ViT-B/16 (frames encoded one by one, frame mean of
# the embeddings) instead of ViCLIP: the logged Kinetics-400 base-to-novel
# recipe with CLIP's encoders, weights (checkpoints/ViT-B-16.pt), text
# context 77 and normalisation. The temporal branch convolves every token
# position, per-frame CLS included, over the 8 frames. Same 1.744M
# trainable parameters (CLIP-B/16 has ViCLIP-B/16's widths). No paper
# number for this row.
_base_ = ['./msta_viclip-b16-r128-b8to12_8xb4-u8-50e_k400-base2novel-rgb.py']

clip_checkpoint = 'checkpoints/ViT-B-16.pt'
__text = dict(context_length=77, init_cfg=dict(checkpoint=clip_checkpoint))
model = dict(
    backbone=dict(
        _delete_=True,
        type='MSTACLIPVisionTransformer',
        arch='b16',
        out_type='video',
        img_size=_base_.img_size,
        init_cfg=dict(type='Pretrained', checkpoint=clip_checkpoint),
    ),
    cls_head=dict(text_branch=dict(text_encoder=__text)),
    # CLIP's normalisation, 0-255 scale.
    data_preprocessor=dict(
        mean=[122.771, 116.746, 104.093], std=[68.500, 66.632, 70.323]
    ),
)
