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

from typing import Dict, Optional, Sequence, Tuple

import torch
from open_clip.transformer import LayerNorm, QuickGELU, Transformer
from torch import nn

__all__ = [
    'CLIP_RELEASES',
    'LayerNorm',
    'QuickGELU',
    'build_clip_transformer',
    'clip_arch_zoo',
    'clip_attention',
    'clip_attention_step',
    'clip_mlp_step',
]


# OpenAI's CLIP releases: one file holds both towers, which project into a
# joint space of ``embed_dims``.
CLIP_RELEASES = {
    'b32': dict(weights='ViT-B-32.pt', name='ViT-B/32', embed_dims=512),
    'b16': dict(weights='ViT-B-16.pt', name='ViT-B/16', embed_dims=512),
    'l14': dict(weights='ViT-L-14.pt', name='ViT-L/14', embed_dims=768),
}


def clip_arch_zoo(
    towers: Dict[str, Tuple[int, ...]], keys: Sequence[str]
) -> Dict[str, Dict]:
    """The ``arch_zoo`` of one CLIP tower (vision or text).

    Args:
        towers (dict[str, tuple[int, ...]]): Per release (a key of
            :data:`CLIP_RELEASES`), the tower's settings in ``keys`` order.
        keys (Sequence[str]): Names of those settings.

    Returns:
        dict[str, dict]: Per release, the tower's settings with the
        release's ``weights``, ``name`` and ``embed_dims``.
    """
    return {
        arch: dict(zip(keys, values), **CLIP_RELEASES[arch])
        for arch, values in towers.items()
    }


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
