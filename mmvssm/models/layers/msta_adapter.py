# Copyright (c) mmvssm contributors. All rights reserved.
"""MSTA's multimodal spatio-temporal adapters (Chen et al., CVPR 2025).

Per adapted block ``i`` of the vision and the text encoder, an adapter runs
parallel to the whole block: it reads the block input through the block's
own pre-attention norm ``ln_1`` and its output is added at the block output::

    y_i = block_i(x) + lambda * A_i(ln_1(x))

``A_i`` has modality-specific down-projections (Linear + ReLU), ONE r x r
projection shared by the text and the video adapter of that block, a text
up-projection and, for video, a spatial up-projection followed by a light
temporal branch: a per-channel (depthwise) convolution over frames, kernel
3, added to the spatial output (``u + conv_t(u)``). With ViCLIP-B/16 (video
width 768, text width 512) this gives 348,800 parameters per block at
``r = 128`` (5 blocks: 1,744,000, the count printed by the authors' logs)
and 726,016 at ``r = 256`` (12 blocks: 8,712,192, the paper's 8.7M).

The scale ``lambda`` (0.005) uses MMA's gradient-scale trick: the forward
pass multiplies the adapter output by ``lambda``, but the adapter's
parameters get the gradient they would get with ``lambda = 1`` (the
upstream gradient is not scaled on its way into the adapter), while the
trunk below still receives the true gradient of ``y`` (the gradient that
leaves the adapter through its input is scaled by ``lambda``).

Choices where the paper is silent (all config options): Kaiming-normal
(fan-in, ReLU) initialisation of every adapter weight, zero biases; the
temporal branch acts on the spatial up-projection (768 channels, what the
logged parameter count implies); ViCLIP's single CLS token (which already
attends over all frames) gets no temporal part, CLIP's per-frame CLS tokens
are convolved over frames like the patches.
"""

from contextlib import contextmanager
from typing import Dict, Iterator, Optional, Sequence

import torch
from mmengine.model import BaseModule
from torch import nn

from mmvssm.registry import MODELS

__all__ = [
    'MSTAAdapter',
    'MSTAAdapterSet',
    'MSTAEncoderMixin',
    'scale_with_gradient_trick',
]

MODALITIES = ('video', 'text')
# Token layouts of the video encoders (see MSTAAdapter.temporal).
LAYOUTS = ('viclip', 'frames')


class _ScaleGrad(torch.autograd.Function):
    """``forward(x) = x * fwd``; ``backward(g) = g * bwd``."""

    @staticmethod
    def forward(ctx, x, fwd: float, bwd: float):
        ctx.bwd = bwd
        return x * fwd if fwd != 1.0 else x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.bwd if ctx.bwd != 1.0 else grad, None, None


def scale_with_gradient_trick(
    branch, x: torch.Tensor, scale: float, trick: bool = True
) -> torch.Tensor:
    """``scale * branch(x)`` with MMA's gradient-scale trick.

    Args:
        branch (callable): The adapter, ``x -> A(x)``.
        x (torch.Tensor): Its input.
        scale (float): ``lambda``.
        trick (bool): With False, plain ``scale * branch(x)``. Defaults to
            True.

    Returns:
        torch.Tensor: ``scale * A(x)`` in the forward pass; in the backward
        pass the parameters of ``A`` see the upstream gradient unscaled and
        ``x`` gets exactly the gradient of ``scale * A(x)``.
    """
    if not trick or scale == 1.0:
        return scale * branch(x)
    x = _ScaleGrad.apply(x, 1.0, scale)
    return _ScaleGrad.apply(branch(x), scale, 1.0)


def _kaiming_(module: nn.Module) -> None:
    nn.init.kaiming_normal_(module.weight, mode='fan_in', nonlinearity='relu')
    if module.bias is not None:
        nn.init.zeros_(module.bias)


class MSTAAdapter(nn.Module):
    """The adapter of one block, for both modalities.

    Args:
        vision_width (int): Token width of the vision encoder.
        text_width (int): Token width of the text encoder.
        dim (int): The bottleneck ``r``.
        temporal_kernel (int): Kernel of the per-channel temporal conv
            (odd); 0 turns the temporal branch off. Defaults to 3.
        shared (nn.Linear, optional): An r x r projection to use; None
            makes one. Defaults to None.
        modalities (Sequence[str]): Which adapters exist. Defaults to
            ``('video', 'text')``.
    """

    def __init__(
        self,
        vision_width: int,
        text_width: int,
        dim: int,
        temporal_kernel: int = 3,
        shared: Optional[nn.Linear] = None,
        modalities: Sequence[str] = MODALITIES,
    ):
        super().__init__()
        self.modalities = tuple(modalities)
        self.shared = shared if shared is not None else nn.Linear(dim, dim)
        self.act = nn.ReLU(inplace=False)
        if 'video' in self.modalities:
            self.video_down = nn.Linear(vision_width, dim)
            self.video_up = nn.Linear(dim, vision_width)
            self.video_temporal = None
            if temporal_kernel:
                if temporal_kernel % 2 != 1:
                    raise ValueError(
                        f'temporal_kernel must be odd, got {temporal_kernel}'
                    )
                self.video_temporal = nn.Conv1d(
                    vision_width,
                    vision_width,
                    temporal_kernel,
                    padding=temporal_kernel // 2,
                    groups=vision_width,
                )
        if 'text' in self.modalities:
            self.text_down = nn.Linear(text_width, dim)
            self.text_up = nn.Linear(dim, text_width)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv1d)):
                _kaiming_(m)

    def forward_text(self, z: torch.Tensor) -> torch.Tensor:
        """Text adapter of ``(..., text_width)`` normed tokens."""
        return self.text_up(self.shared(self.act(self.text_down(z))))

    def forward_video(
        self, z: torch.Tensor, num_frames: int, layout: str
    ) -> torch.Tensor:
        """Video adapter: spatial up-projection plus the temporal branch.

        Args:
            z (torch.Tensor): Normed tokens, see :meth:`temporal`.
            num_frames (int): ``T``.
            layout (str): ``'viclip'`` or ``'frames'``.

        Returns:
            torch.Tensor: Same shape as ``z``.
        """
        u = self.video_up(self.shared(self.act(self.video_down(z))))
        if self.video_temporal is None or num_frames < 2:
            return u
        return u + self.temporal(u, num_frames, layout)

    def temporal(
        self, u: torch.Tensor, num_frames: int, layout: str
    ) -> torch.Tensor:
        """The per-channel conv over frames, in the encoder's token layout.

        Args:
            u (torch.Tensor): ``'viclip'``: ``(N, 1 + h*w*T, C)``, CLS then
                spatial-major, time-minor patches (its CLS gets zero);
                ``'frames'``: ``(N*T, L, C)``, frame-major (CLIP per frame).
            num_frames (int): ``T``.
            layout (str): See above.

        Returns:
            torch.Tensor: Same shape as ``u``.
        """
        conv, t = self.video_temporal, num_frames
        if layout == 'viclip':
            n, length, c = u.shape
            p = u[:, 1:].reshape(n, (length - 1) // t, t, c)
            hw = p.shape[1]
            p = conv(p.reshape(n * hw, t, c).transpose(1, 2))
            p = p.transpose(1, 2).reshape(n, hw * t, c)
            return torch.cat([torch.zeros_like(u[:, :1]), p], dim=1)
        if layout == 'frames':
            nt, length, c = u.shape
            n = nt // t
            p = u.reshape(n, t, length, c).permute(0, 2, 3, 1)
            p = conv(p.reshape(n * length, c, t))
            p = p.reshape(n, length, c, t).permute(0, 3, 1, 2)
            return p.reshape(nt, length, c)
        raise ValueError(f'layout must be one of {LAYOUTS}, got {layout!r}')


@MODELS.register_module()
class MSTAAdapterSet(BaseModule):
    """The MSTA adapters of a range of blocks of both encoders.

    Args:
        vision_width (int): Vision token width. Defaults to 768 (B/16).
        text_width (int): Text token width. Defaults to 512.
        dim (int): Bottleneck ``r``. Defaults to 128 (the logged run; the
            paper's 8.7M model uses 256 in all 12 blocks).
        start_block (int): First adapted block (0-based). Defaults to 7
            (the logged run's blocks 8-12).
        end_block (int): One past the last adapted block. Defaults to 12.
        scale (float): ``lambda``. Defaults to 0.005.
        gradient_trick (bool): MMA's gradient-scale trick. Defaults to True.
        temporal_kernel (int): See :class:`MSTAAdapter`. Defaults to 3.
        share (bool): One r x r projection per block shared by text and
            video (MSTA); False gives each modality its own (the ablation).
            Defaults to True.
        modalities (Sequence[str]): ``('video', 'text')``, or one of them
            (the ablations). Defaults to both.
        init_cfg (dict, optional): Defaults to None (Kaiming init at build).
    """

    def __init__(
        self,
        vision_width: int = 768,
        text_width: int = 512,
        dim: int = 128,
        start_block: int = 7,
        end_block: int = 12,
        scale: float = 0.005,
        gradient_trick: bool = True,
        temporal_kernel: int = 3,
        share: bool = True,
        modalities: Sequence[str] = MODALITIES,
        init_cfg: Optional[Dict] = None,
    ):
        super().__init__(init_cfg=init_cfg)
        bad = [m for m in modalities if m not in MODALITIES]
        if bad or not modalities:
            raise ValueError(
                f'modalities must be a non-empty subset of {MODALITIES}, '
                f'got {modalities!r}'
            )
        if not 0 <= start_block < end_block:
            raise ValueError(
                f'need 0 <= start_block < end_block, got {start_block}, '
                f'{end_block}'
            )
        self.start_block, self.end_block = start_block, end_block
        self.scale = float(scale)
        self.gradient_trick = bool(gradient_trick)
        self.share = bool(share)
        self.modalities = tuple(modalities)
        self.adapters = nn.ModuleDict()
        for i in range(start_block, end_block):
            self.adapters[str(i)] = MSTAAdapter(
                vision_width,
                text_width,
                dim,
                temporal_kernel,
                modalities=self.modalities,
            )
            if not share and len(self.modalities) == 2:
                self.adapters[str(i)].text_shared = nn.Linear(dim, dim)
                _kaiming_(self.adapters[str(i)].text_shared)

    def adapts(self, index: int, modality: str) -> bool:
        """Whether block ``index`` of ``modality`` has an adapter."""
        return modality in self.modalities and str(index) in self.adapters

    def check_depth(self, depth: int, what: str) -> None:
        """Raise when the adapted blocks do not exist in an encoder."""
        if self.end_block > depth:
            raise ValueError(
                f'MSTA adapters for blocks {self.start_block}..'
                f'{self.end_block - 1} but the {what} has {depth} blocks; '
                f'lower end_block'
            )

    def branch(
        self,
        index: int,
        modality: str,
        z: torch.Tensor,
        num_frames: int = 1,
        layout: str = 'viclip',
    ) -> torch.Tensor:
        """``lambda * A_index(z)`` with the gradient-scale trick.

        Args:
            index (int): Block index.
            modality (str): ``'video'`` or ``'text'``.
            z (torch.Tensor): The block input after its ``ln_1``.
            num_frames (int): Video: frames. Defaults to 1.
            layout (str): Video token layout. Defaults to ``'viclip'``.

        Returns:
            torch.Tensor: Same shape as ``z``.
        """
        adapter = self.adapters[str(index)]
        if modality == 'text':
            if not self.share and hasattr(adapter, 'text_shared'):

                def fn(v):
                    h = adapter.act(adapter.text_down(v))
                    return adapter.text_up(adapter.text_shared(h))
            else:
                fn = adapter.forward_text
        else:

            def fn(v):
                return adapter.forward_video(v, num_frames, layout)

        return scale_with_gradient_trick(
            fn, z, self.scale, self.gradient_trick
        )


class MSTAEncoderMixin:
    """Runs an encoder's blocks with MSTA adapters parallel to them.

    The adapters are attached (not owned: the recognizer owns the
    :class:`MSTAAdapterSet`, whose shared projections both encoders use) by
    :meth:`attach_adapters`; without them the encoder is the frozen one.
    """

    modality: str = 'video'

    def attach_adapters(self, adapters: Optional[MSTAAdapterSet]) -> None:
        """Use ``adapters`` (not registered as a sub-module here)."""
        if adapters is not None:
            adapters.check_depth(len(self.blocks), self.description)
        object.__setattr__(self, '_msta_adapters', adapters)
        object.__setattr__(self, '_msta_enabled', True)

    @property
    def msta_adapters(self) -> Optional[MSTAAdapterSet]:
        """The attached adapters when enabled, else None."""
        if not getattr(self, '_msta_enabled', True):
            return None
        return getattr(self, '_msta_adapters', None)

    @contextmanager
    def adapters_disabled(self) -> Iterator[None]:
        """Run as the frozen foundation encoder inside the block."""
        old = getattr(self, '_msta_enabled', True)
        object.__setattr__(self, '_msta_enabled', False)
        try:
            yield
        finally:
            object.__setattr__(self, '_msta_enabled', old)

    def run_adapted_blocks(
        self,
        x: torch.Tensor,
        block_kwargs: Optional[Dict] = None,
        **layout,
    ) -> torch.Tensor:
        """All blocks, each plus its adapter branch where there is one.

        Args:
            x (torch.Tensor): The first block's input.
            block_kwargs (dict, optional): Passed to every block (the text
                encoder's ``attn_mask``). Defaults to None.
            **layout: ``num_frames`` / ``layout`` for the video adapter.

        Returns:
            torch.Tensor: The last block's output.
        """
        adapters = self.msta_adapters
        block_kwargs = block_kwargs or {}
        for i, block in enumerate(self.blocks):
            y = block(x, **block_kwargs)
            if adapters is not None and adapters.adapts(i, self.modality):
                y = y + adapters.branch(
                    i, self.modality, block.ln_1(x), **layout
                ).to(y.dtype)
            x = y
        return x
