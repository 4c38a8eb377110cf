# Copyright (c) mmvssm contributors. All rights reserved.
"""Backbones."""

from .videomamba import VideoMamba, VideoMambaBlock

__all__ = ['VideoMamba', 'VideoMambaBlock']
from .clip import CLIPVisionTransformer  # noqa: E402
from .viclip import ViCLIPVisionTransformer  # noqa: E402

__all__ += ['CLIPVisionTransformer', 'ViCLIPVisionTransformer']
from .msta import (  # noqa: E402
    MSTACLIPVisionTransformer,
    MSTAViCLIPVisionTransformer,
)

__all__ += ['MSTACLIPVisionTransformer', 'MSTAViCLIPVisionTransformer']

from .mmpretrain_vit import MMPretrainViTFoundation  # noqa: E402
from .moma import MoMa  # noqa: E402

__all__ += ['MoMa', 'MMPretrainViTFoundation']
