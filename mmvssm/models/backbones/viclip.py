# Copyright (c) mmvssm contributors. All rights reserved.
"""ViCLIP's video encoder (InternVid): joint space-time attention.

All ``T x h x w`` patch tokens of a clip and ONE CLS token form a single
sequence through CLIP-style blocks. Patches come from a ``Conv3d`` with a
temporal kernel of 1; each patch gets CLIP's spatial positional embedding
plus a learned temporal one (``(1, num_frames, width)``). The sequence is
spatial-major, time-minor as in the original (``(b n) t m -> b (n t) m``):
``[cls, (p0, t0), (p0, t1), ..., (p0, t_{T-1}), (p1, t0), ...]``; use
:meth:`ViCLIPVisionTransformer.tokens_to_grid` / ``grid_to_tokens`` to reach
the ``(N, C, T, h, w)`` layout. The original masks 90% of the tokens when
not testing (a pre-training trick); this encoder never masks.

Parameter names are ViCLIP's (``vision_encoder.*`` in its ``.pth``), so
``ViCLIP-B_InternVid-FLT-10M.pth`` loads without conversion; its text tower
is :class:`~mmvssm.models.text.CLIPTextTransformer` with
``context_length=32`` (``text_encoder.*``), and ``temp`` gives the logit
scale ``1 / temp``.
"""

from typing import Dict, Optional, Tuple, Union

import torch
from torch import nn

from mmvssm.registry import MODELS

from ..layers.pos_embed import (
    resize_spatial_pos_embed,
    resize_temporal_pos_embed,
)
from ..utils.foundation_weights import (
    FoundationWeightsError,
    select_prefixed,
)
from .clip import CLIPVisionTransformer, CLIPViTBase

__all__ = ['ViCLIPVisionTransformer']


@MODELS.register_module()
class ViCLIPVisionTransformer(CLIPViTBase):
    """ViCLIP's vision encoder (one CLS over all frames).

    Args:
        arch (str | dict): ``'b16'`` (ViCLIP-B/16) or ``'l14'``
            (ViCLIP-L/14), or a dict as for
            :class:`~mmvssm.models.backbones.CLIPVisionTransformer`.
            Defaults to ``'b16'``.
        num_frames (int): Frames of the temporal positional embedding; the
            weights' embedding is resized (linearly) to it when they load,
            and on the fly for clips of another length. Defaults to 8.
        img_size (int | tuple): Input resolution. Defaults to 224.
        out_type (str): ``'embed'``: ``ln_post(cls) @ proj``, ``(N, D)``;
            ``'tokens'``: all tokens after ``ln_post``, ``(N, 1 + T*h*w,
            C)`` in the spatial-major order. Defaults to ``'embed'``.
        frozen (bool): Freeze the encoder. Defaults to False.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...)``
            loads ViCLIP's ``.pth`` when the model is built. Defaults to None.
    """

    arch_zoo = {
        'b16': dict(
            CLIPVisionTransformer.arch_zoo['b16'],
            weights='ViCLIP-B_InternVid-FLT-10M.pth',
            name='ViCLIP-B/16',
        ),
        'l14': dict(
            CLIPVisionTransformer.arch_zoo['l14'],
            weights='ViCLIP-L_InternVid-FLT-10M.pth',
            name='ViCLIP-L/14',
        ),
    }

    def __init__(
        self,
        arch: Union[str, Dict] = 'b16',
        num_frames: int = 8,
        img_size: Union[int, Tuple[int, int]] = 224,
        out_type: str = 'embed',
        frozen: bool = False,
        init_cfg: Optional[Dict] = None,
    ):
        super().__init__(init_cfg=init_cfg)
        arch = self.resolve_arch(arch)
        if out_type not in ('embed', 'tokens'):
            raise ValueError(
                f"out_type must be 'embed' or 'tokens', got {out_type!r}"
            )
        self.out_type = out_type
        self.num_frames = num_frames
        self.description = f'{arch.get("name", "ViCLIP")} vision encoder'
        p = arch['patch_size']
        kernel = (1, p, p)
        conv1 = nn.Conv3d(3, arch['width'], kernel, stride=kernel, bias=False)
        self.build_vit(
            arch,
            img_size,
            conv1,
            quick_gelu=True,
            temporal_positional_embedding=nn.Parameter(
                torch.zeros(1, num_frames, arch['width'])
            ),
        )
        self.finish_build(frozen)

    @staticmethod
    def tokens_to_grid(
        patches: torch.Tensor, num_frames: int, grid: Tuple[int, int]
    ) -> torch.Tensor:
        """Spatial-major patch tokens ``(N, h*w*T, C)`` to ``(N, C, T, h, w)``.

        Args:
            patches (torch.Tensor): The patch tokens (CLS removed).
            num_frames (int): ``T``.
            grid (tuple[int, int]): ``(h, w)``.

        Returns:
            torch.Tensor: ``(N, C, T, h, w)``.
        """
        n, _, c = patches.shape
        x = patches.reshape(n, grid[0], grid[1], num_frames, c)
        return x.permute(0, 4, 3, 1, 2)

    @staticmethod
    def grid_to_tokens(grid_tokens: torch.Tensor) -> torch.Tensor:
        """``(N, C, T, h, w)`` back to spatial-major ``(N, h*w*T, C)``."""
        n, c = grid_tokens.shape[:2]
        return grid_tokens.permute(0, 3, 4, 2, 1).reshape(n, -1, c)

    def embed_video(self, video: torch.Tensor) -> torch.Tensor:
        """Patches + positional embeddings + CLS, then ``ln_pre``.

        Args:
            video (torch.Tensor): ``(N, 3, T, H, W)``.

        Returns:
            torch.Tensor: ``(N, 1 + h*w*T, width)``: CLS, then the patches
            spatial-major, time-minor.
        """
        x = self.conv1(video)  # (N, C, T, h, w)
        n, c, t, h, w = x.shape
        pos = self.pos_embed_for((h, w))
        temporal = self.temporal_positional_embedding
        if t == 1:
            temporal = temporal.mean(dim=1, keepdim=True)
        elif t != temporal.shape[1]:
            temporal = resize_temporal_pos_embed(temporal, t)
        # (N, h*w, T, C): spatial pos per patch, temporal pos per frame.
        x = x.permute(0, 3, 4, 2, 1).reshape(n, h * w, t, c)
        x = x + pos[1:].to(x.dtype).unsqueeze(1) + temporal.to(x.dtype)
        cls = (self.class_embedding + pos[0]).to(x.dtype).expand(n, 1, c)
        x = torch.cat([cls, x.reshape(n, h * w * t, c)], dim=1)
        return self.ln_pre(x)

    def forward_tokens(self, video: torch.Tensor) -> torch.Tensor:
        """All blocks: ``(N, 1 + h*w*T, width)`` final tokens (no ln_post)."""
        return self.forward_blocks(self.embed_video(video))

    def encode_video(self, video: torch.Tensor) -> torch.Tensor:
        """ViCLIP's video embedding ``ln_post(cls) @ proj``: ``(N, D)``."""
        return self.project(self.forward_tokens(video)[:, 0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Encode ``(N, 3, T, H, W)`` clips (``(N, 3, H, W)``: T = 1)."""
        if x.dim() == 4:
            x = x.unsqueeze(2)
        if x.dim() != 5:
            raise ValueError(
                f'expected (N, C, T, H, W) or (N, C, H, W), got {x.shape}'
            )
        if self.out_type == 'tokens':
            return self.ln_post(self.forward_tokens(x))
        return self.encode_video(x)

    def extract_weights(self, state_dict: Dict, source: str) -> Dict:
        """This encoder's weights out of ViCLIP's (or a vision-only) dict.

        Args:
            state_dict (dict): The file's tensors (``vision_encoder.*``).
            source (str): The file, for messages.

        Returns:
            dict: Keys of this module; positional embeddings resized to
            ``img_size`` and ``num_frames``.
        """
        own = select_prefixed(state_dict, ('vision_encoder.',))
        if own is None:
            has_temporal = 'temporal_positional_embedding' in state_dict
            own = dict(state_dict) if has_temporal else {}
        if (
            'conv1.weight' not in own
            or 'temporal_positional_embedding' not in own
        ):
            raise FoundationWeightsError(
                f'{source} holds no ViCLIP vision encoder (no '
                f'vision_encoder.conv1 / temporal_positional_embedding); '
                f'expected {self.description} weights such as '
                f'{self.weights_file or "a ViCLIP .pth"}'
            )
        conv = own['conv1.weight']
        found = (
            conv.shape[-1],
            conv.shape[0],
            self.num_blocks_in(own),
        )
        wanted = (self.patch_size, self.width, len(self.blocks))
        if conv.dim() != 5 or conv.shape[2] != 1 or found != wanted:
            raise FoundationWeightsError(
                f'{source} holds a vision encoder with patch embedding '
                f'{tuple(conv.shape)} and {found[2]} blocks, but the model is '
                f'{self.description} (patch {wanted[0]}, width {wanted[1]}, '
                f'{wanted[2]} blocks, temporal kernel 1): use '
                f'{self.weights_file or "the matching weights"} or change arch'
            )
        own['positional_embedding'] = resize_spatial_pos_embed(
            own['positional_embedding'][None], self.grid_size
        )[0]
        own['temporal_positional_embedding'] = resize_temporal_pos_embed(
            own['temporal_positional_embedding'], self.num_frames
        )
        return own
