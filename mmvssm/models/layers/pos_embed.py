# Copyright (c) mmvssm contributors. All rights reserved.
"""Resizing of learned position tables (checkpoint loading, other inputs)."""

import math
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['resize_spatial_pos_embed', 'resize_temporal_pos_embed']


def resize_spatial_pos_embed(
    pos_embed: Tensor, grid: Tuple[int, int], num_extra_tokens: int = 1
) -> Tensor:
    """Resize a ``(1, extra + h*w, C)`` position table to ``grid`` (bicubic).

    The source grid must be square (all official checkpoints are). Extra
    (cls) positions are kept as they are.

    Args:
        pos_embed (Tensor): The table, ``(1, extra + s*s, C)``.
        grid (tuple[int, int]): Target ``(h, w)``.
        num_extra_tokens (int): Leading non-patch positions. Defaults to 1.

    Returns:
        Tensor: ``(1, extra + h*w, C)``; ``pos_embed`` itself when the grid
        already matches.
    """
    extra = pos_embed[:, :num_extra_tokens]
    patches = pos_embed[:, num_extra_tokens:]
    side = int(round(math.sqrt(patches.shape[1])))
    if side * side != patches.shape[1]:
        raise ValueError(
            f'pos_embed holds {patches.shape[1]} patch positions, not a '
            'square grid; resize it to the model grid before loading'
        )
    if (side, side) == tuple(grid):
        return pos_embed
    dtype = patches.dtype
    patches = patches.reshape(1, side, side, -1).permute(0, 3, 1, 2)
    patches = F.interpolate(
        patches.float(), size=tuple(grid), mode='bicubic', align_corners=False
    )
    patches = patches.permute(0, 2, 3, 1).flatten(1, 2).to(dtype)
    return torch.cat([extra, patches], dim=1)


def resize_temporal_pos_embed(pos_embed: Tensor, length: int) -> Tensor:
    """Resize a ``(1, T, C)`` temporal table to ``length`` (linear).

    Args:
        pos_embed (Tensor): The table, ``(1, T, C)``.
        length (int): Target number of temporal positions.

    Returns:
        Tensor: ``(1, length, C)``; ``pos_embed`` itself when it matches.
    """
    if pos_embed.shape[1] == length:
        return pos_embed
    resized = F.interpolate(
        pos_embed.float().transpose(1, 2),
        size=length,
        mode='linear',
        align_corners=False,
    )
    return resized.transpose(1, 2).to(pos_embed.dtype)
