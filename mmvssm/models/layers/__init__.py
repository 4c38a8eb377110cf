# Copyright (c) mmvssm contributors. All rights reserved.
from .bimamba import BiMamba

__all__ = ['BiMamba']
from .clip_layers import (  # noqa: E402
    build_clip_transformer,
    clip_attention,
    clip_attention_step,
    clip_mlp_step,
    resize_spatial_pos_embed,
    resize_temporal_pos_embed,
)

__all__ += [
    'build_clip_transformer',
    'clip_attention',
    'clip_attention_step',
    'clip_mlp_step',
    'resize_spatial_pos_embed',
    'resize_temporal_pos_embed',
]
