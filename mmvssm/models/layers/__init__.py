# Copyright (c) mmvssm contributors. All rights reserved.
from .bimamba import BiMamba
from .patch_embed import PatchEmbed3D, inflate_patch_weight
from .pos_embed import resize_spatial_pos_embed, resize_temporal_pos_embed

__all__ = [
    'BiMamba',
    'PatchEmbed3D',
    'inflate_patch_weight',
    'resize_spatial_pos_embed',
    'resize_temporal_pos_embed',
]
