# MoMa on a frozen OpenAI CLIP ViT-B/16: every CLIP block runs its attention
# inside 8x8 windows of each frame (14x14 grids padded to 16x16, padded keys
# masked), then a SeqMod (bidirectional Mamba over the clip's patch tokens,
# 2C output split into scale/shift, zero-initialised), then its MLP. Mean of
# the final patch tokens -> ln_post -> proj, cosine with the frozen text
# embeddings of the class names (ActionCLIP's 16 templates) x CLIP's logit
# scale. Only the SeqMods train (12.0M); checkpoints hold only them, the
# frozen CLIP weights reload from checkpoints/ViT-B-16.pt when the model is
# built. Every option below is spelled out with its default (the paper is
# silent on most; see mmvssm/models/backbones/moma.py).
_base_ = ['./clip_vit-b16.py']

model = dict(
    type='MoMaRecognizer',
    trainable=('backbone.seqmods',),
    save_frozen=False,
    # The paper's CLIP distillation loss, off by default (form and weight
    # unknown); e.g. dict(type='CosineDistillLoss', loss_weight=1.0).
    distill_loss=None,
    backbone=dict(
        _delete_=True,
        type='MoMa',
        foundation=_base_.model.backbone,
        window_size=8,
        cls_token='window',
        adapted_blocks='all',
        token_order='window',
        extra_orders=(),
        seqmod_cfg=dict(
            fusion='seqmod',
            expand=0.5,
            d_state=16,
            act_cfg=dict(type='GELU'),
            gated=False,
            zero_init=True,
        ),
        out_type='embed',
    ),
)
