# Copyright (c) mmvssm contributors. All rights reserved.
"""MSTA's adapted video encoders: ViCLIP (joint space-time) and CLIP.

Same parameters, weights and outputs as
:class:`~mmvssm.models.backbones.ViCLIPVisionTransformer` /
:class:`~mmvssm.models.backbones.CLIPVisionTransformer` when no adapters
are attached; with an :class:`~mmvssm.models.layers.MSTAAdapterSet`
attached (``MSTARecognizer`` does it), every adapted block gets its video
adapter in parallel (see :mod:`mmvssm.models.layers.msta_adapter`).
"""

import torch

from mmvssm.registry import MODELS

from ..layers.msta_adapter import MSTAEncoderMixin
from .clip import CLIPVisionTransformer
from .viclip import ViCLIPVisionTransformer

__all__ = ['MSTAViCLIPVisionTransformer', 'MSTACLIPVisionTransformer']


@MODELS.register_module()
class MSTAViCLIPVisionTransformer(MSTAEncoderMixin, ViCLIPVisionTransformer):
    """ViCLIP's vision encoder with MSTA video adapters.

    The temporal branch follows ViCLIP's spatial-major, time-minor token
    order; the single CLS token gets no temporal part. Arguments as
    :class:`~mmvssm.models.backbones.ViCLIPVisionTransformer`.
    """

    modality = 'video'

    def forward_tokens(self, video: torch.Tensor) -> torch.Tensor:
        """All blocks (adapted): ``(N, 1 + h*w*T, width)``, no ln_post."""
        return self.run_adapted_blocks(
            self.embed_video(video),
            num_frames=video.shape[2],
            layout='viclip',
        )


@MODELS.register_module()
class MSTACLIPVisionTransformer(MSTAEncoderMixin, CLIPVisionTransformer):
    """CLIP's per-frame vision encoder with MSTA video adapters.

    The temporal branch convolves every token position (CLS included) over
    the frames of its clip. Arguments as
    :class:`~mmvssm.models.backbones.CLIPVisionTransformer`.
    """

    modality = 'video'
    _clip_frames = 1

    def forward_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """All blocks (adapted) on ``(N*T, 3, H, W)`` frames."""
        return self.run_adapted_blocks(
            self.embed_frames(frames),
            num_frames=self._clip_frames,
            layout='frames',
        )

    def _with_frames(self, fn, x: torch.Tensor) -> torch.Tensor:
        t = x.shape[2] if x.dim() == 5 else 1
        object.__setattr__(self, '_clip_frames', t)
        try:
            return fn(x)
        finally:
            object.__setattr__(self, '_clip_frames', 1)

    def encode_video(self, video: torch.Tensor) -> torch.Tensor:
        """Frame mean of the adapted per-frame embeddings: ``(N, D)``."""
        return self._with_frames(super().encode_video, video)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """As the CLIP encoder's, with the clip's frames known."""
        return self._with_frames(super().forward, x)
