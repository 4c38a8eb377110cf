# CLIP ViT-B/16 (OpenAI) as a video-text recognizer: frames through the image
# encoder, frame mean of ln_post(cls) @ proj, cosine similarity to the class
# prompts' text embeddings times CLIP's logit scale (read from the weights).
# Everything frozen: with these weights alone it is CLIP's zero-shot
# recognizer. The weights load when the model is built: OpenAI's TorchScript
# ViT-B-16.pt (read without running it) or an OpenAI / open_clip state dict,
# put in checkpoints/ by hand. Another file: set both init_cfg.checkpoint
# entries (backbone and text encoder).
clip_checkpoint = 'checkpoints/ViT-B-16.pt'

model = dict(
    type='VideoTextRecognizer',
    backbone=dict(
        type='CLIPVisionTransformer',
        arch='b16',
        out_type='video',
        init_cfg=dict(type='Pretrained', checkpoint=clip_checkpoint),
    ),
    cls_head=dict(
        type='TextSimilarityHead',
        in_channels=512,
        average_clips='prob',
        text_branch=dict(
            type='PromptTextBranch',
            class_names='kinetics400',
            templates='actionclip',
            text_encoder=dict(
                type='CLIPTextTransformer',
                arch='b16',
                init_cfg=dict(type='Pretrained', checkpoint=clip_checkpoint),
            ),
        ),
    ),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        # CLIP's normalisation, 0-255 scale.
        mean=[122.771, 116.746, 104.093],
        std=[68.500, 66.632, 70.323],
        format_shape='NCTHW',
    ),
)
