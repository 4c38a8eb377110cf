# Copyright (c) mmvssm contributors. All rights reserved.
"""CLIP's transformer pieces, from open_clip, opened up for adapters.

The blocks are open_clip's ``ResidualAttentionBlock`` (OpenAI's parameter
names: ``ln_1``, ``attn`` (``nn.MultiheadAttention``), ``ln_2``,
``mlp.c_fc``, ``mlp.c_proj``), so OpenAI and open_clip state dicts load
without renaming and the numerics are open_clip's. A block computes::

    x = x + ls_1(attn(ln_1(x)))        # attention step
    x = x + ls_2(mlp(ln_2(x)))         # MLP step

Adapters rewrite that sequence from the pieces instead of calling the
block: MoMa runs the attention step inside windows
(:func:`clip_attention` takes any token subset, with a key padding mask)
and modulates between the two steps; MSTA adds a branch parallel to the
whole block.
"""

import math
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from open_clip.transformer import LayerNorm, QuickGELU, Transformer
from torch import nn

__all__ = [
    'LayerNorm',
    'QuickGELU',
    'build_clip_transformer',
    'clip_attention',
    'clip_attention_step',
    'clip_mlp_step',
    'resize_spatial_pos_embed',
    'resize_temporal_pos_embed',
]


def build_clip_transformer(
    width: int, depth: int, num_heads: int, quick_gelu: bool = True
) -> Transformer:
    """open_clip's ``Transformer`` (batch-first ``resblocks``).

    Args:
        width (int): Token width.
        depth (int): Number of blocks.
        num_heads (int): Attention heads.
        quick_gelu (bool): OpenAI's ``x * sigmoid(1.702 x)`` activation
            (OpenAI and ViCLIP weights) instead of ``nn.GELU``. Defaults to
            True.

    Returns:
        open_clip.transformer.Transformer: With ``resblocks`` (ModuleList).
    """
    return Transformer(
        width,
        depth,
        num_heads,
        act_layer=QuickGELU if quick_gelu else nn.GELU,
        norm_layer=LayerNorm,
    )


def clip_attention(
    block: nn.Module,
    x: torch.Tensor,
    attn_mask: Optional[torch.Tensor] = None,
    key_padding_mask: Optional[torch.Tensor] = None,
) -> torch.Tensor:
    """A block's frozen self-attention on any set of (normed) tokens.

    Args:
        block (nn.Module): A CLIP block (``block.attn`` is batch-first).
        x (torch.Tensor): ``(B, N, C)`` tokens, already through ``ln_1``;
            e.g. the tokens of one window per batch row.
        attn_mask (torch.Tensor, optional): Additive ``(N, N)`` mask (the
            text encoder's causal mask). Defaults to None.
        key_padding_mask (torch.Tensor, optional): ``(B, N)`` bool, True
            where a token is padding and must not be attended to.
            Defaults to None.

    Returns:
        torch.Tensor: ``(B, N, C)``, before ``ls_1`` and the residual.
    """
    if attn_mask is not None:
        attn_mask = attn_mask.to(x.dtype)
    return block.attn(
        x,
        x,
        x,
        need_weights=False,
        attn_mask=attn_mask,
        key_padding_mask=key_padding_mask,
    )[0]


def clip_attention_step(
    block: nn.Module, x: torch.Tensor, **attn_kwargs
) -> torch.Tensor:
    """``x + ls_1(attn(ln_1(x)))``: a block's attention step with residual.

    Args:
        block (nn.Module): A CLIP block.
        x (torch.Tensor): ``(B, N, C)`` tokens.
        **attn_kwargs: ``attn_mask`` / ``key_padding_mask`` of
            :func:`clip_attention`.

    Returns:
        torch.Tensor: ``(B, N, C)``.
    """
    return x + block.ls_1(clip_attention(block, block.ln_1(x), **attn_kwargs))


def clip_mlp_step(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``x + ls_2(mlp(ln_2(x)))``: a block's MLP step with residual.

    Args:
        block (nn.Module): A CLIP block.
        x (torch.Tensor): ``(..., C)`` tokens (any layout).

    Returns:
        torch.Tensor: Same shape.
    """
    return x + block.ls_2(block.mlp(block.ln_2(x)))


def resize_spatial_pos_embed(
    pos_embed: torch.Tensor, grid: Tuple[int, int], num_extra: int = 1
) -> torch.Tensor:
    """Bicubic resize of a ``(extra + h*w, C)`` positional embedding.

    Args:
        pos_embed (torch.Tensor): ``(num_extra + h*w, C)``, square grid.
        grid (tuple[int, int]): The new ``(h, w)``.
        num_extra (int): Leading non-grid tokens (CLS). Defaults to 1.

    Returns:
        torch.Tensor: ``(num_extra + grid[0]*grid[1], C)``, same dtype.
    """
    extra, patches = pos_embed[:num_extra], pos_embed[num_extra:]
    old = int(round(math.sqrt(patches.shape[0])))
    if old * old != patches.shape[0]:
        raise ValueError(
            f'positional embedding of {patches.shape[0]} patch tokens is '
            f'not a square grid'
        )
    if (old, old) == tuple(grid):
        return pos_embed
    dtype = pos_embed.dtype
    patches = patches.float().reshape(1, old, old, -1).permute(0, 3, 1, 2)
    patches = F.interpolate(
        patches, size=tuple(grid), mode='bicubic', align_corners=False
    )
    patches = patches.permute(0, 2, 3, 1).reshape(grid[0] * grid[1], -1)
    return torch.cat([extra, patches.to(dtype)], dim=0)


def resize_temporal_pos_embed(
    pos_embed: torch.Tensor, num_frames: int
) -> torch.Tensor:
    """Linear resize of a ``(1, T, C)`` temporal positional embedding.

    Args:
        pos_embed (torch.Tensor): ``(1, T, C)``.
        num_frames (int): The new ``T``.

    Returns:
        torch.Tensor: ``(1, num_frames, C)``, same dtype.
    """
    if pos_embed.shape[1] == num_frames:
        return pos_embed
    resized = F.interpolate(
        pos_embed.float().transpose(1, 2),
        size=num_frames,
        mode='linear',
        align_corners=False,
    )
    return resized.transpose(1, 2).to(pos_embed.dtype)
