# Copyright (c) mmvssm contributors. All rights reserved.
# MSTA on ViCLIP-B/16: the ViCLIP zero-shot model (clip_vit-b16.py with the
# viclip_b16 delta) with adapted encoders, the MSTA text branch ("a video of
# a {}.", descriptions set per dataset) and the logged adapter set (blocks
# 8-12, r = 128, lambda 0.005 with the gradient-scale trick, per-channel
# temporal conv k = 3): 1.744M trainable parameters. Only the adapters are
# trained and saved; the frozen weights reload from the ViCLIP .pth.
_base_ = ['./clip_vit-b16.py', './viclip_b16_delta.py']

__viclip = _base_.viclip_b16
model = dict(
    __viclip,
    type='MSTARecognizer',
    backbone=dict(__viclip.backbone, type='MSTAViCLIPVisionTransformer'),
    cls_head=dict(
        text_branch=dict(
            type='MSTATextBranch',
            templates='video',
            text_encoder=dict(
                __viclip.cls_head.text_branch.text_encoder,
                type='MSTACLIPTextTransformer',
            ),
        )
    ),
    adapter=dict(
        type='MSTAAdapterSet',
        vision_width=768,
        text_width=512,
        dim=128,
        start_block=7,
        end_block=12,
        scale=0.005,
        gradient_trick=True,
        temporal_kernel=3,
    ),
    loss_consistency=dict(type='DescriptionConsistencyLoss', loss_weight=1.0),
    save_frozen=False,
)
