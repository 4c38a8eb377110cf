# ViCLIP-B/16 (InternVid) in place of CLIP ViT-B/16: what a config built on
# clip_vit-b16.py changes, as `model = {{_base_.viclip_b16}}`. Joint space-time
# video encoder (one CLS over 8 frames), text context 32, logit scale 1/temp
# from the checkpoint, ImageNet normalisation (ViCLIP's demo). Weights:
# ViCLIP's .pth ({'model': {vision_encoder.*, text_encoder.*, temp}}), put in
# checkpoints/ by hand.
viclip_checkpoint = 'checkpoints/ViCLIP-B_InternVid-FLT-10M.pth'

viclip_b16 = dict(
    backbone=dict(
        type='ViCLIPVisionTransformer',
        out_type='embed',
        num_frames=8,
        init_cfg=dict(checkpoint=viclip_checkpoint),
    ),
    cls_head=dict(
        text_branch=dict(
            text_encoder=dict(
                context_length=32,
                init_cfg=dict(checkpoint=viclip_checkpoint),
            )
        )
    ),
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]
    ),
)
