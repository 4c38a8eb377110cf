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
from .clip_layers import (  # noqa: E402
    CLIP_RELEASES,
    build_clip_transformer,
    clip_arch_zoo,
    clip_attention,
    clip_attention_step,
    clip_mlp_step,
)

__all__ += [
    'CLIP_RELEASES',
    'build_clip_transformer',
    'clip_arch_zoo',
    'clip_attention',
    'clip_attention_step',
    'clip_mlp_step',
]
from .msta_adapter import (  # noqa: E402
    MSTAAdapter,
    MSTAAdapterSet,
    MSTAEncoderMixin,
    scale_with_gradient_trick,
)

__all__ += [
    'MSTAAdapter',
    'MSTAAdapterSet',
    'MSTAEncoderMixin',
    'scale_with_gradient_trick',
]

from .seqmod import SeqMod, seqmod  # noqa: E402

__all__ += ['SeqMod', 'seqmod']

from .masking import MASK_TYPES, generate_mask, mask_ratio_of  # noqa: E402

__all__ += ['MASK_TYPES', 'generate_mask', 'mask_ratio_of']
