# Copyright (c) mmvssm contributors. All rights reserved.
"""Token masks for masked video pre-training (UMT-style, VideoMamba §4.7).

Every generator returns a boolean mask shaped ``(N, T, h*w)`` over the
patch tokens of ``N`` clips of ``T`` token frames on an ``h x w`` grid,
``True`` where a token is **masked** (hidden from the student). Every clip
of a batch gets the same number of masked tokens, so the visible tokens of
a batch stack into one tensor.

* ``random``: ``round(ratio * T*h*w)`` tokens anywhere in the clip.
* ``tube``: one spatial mask of ``round(ratio * h*w)`` tokens, repeated in
  every frame.
* ``clip_row`` (the paper's "clip-row"): ``T * floor(ratio * h)`` whole
  rows drawn among the ``T * h`` rows of the clip.
* ``frame_row`` (the paper's "frame-row"): every frame masks its own
  ``floor(ratio * h)`` whole rows.
* ``attention``: per frame, the visible tokens are drawn without
  replacement with probabilities given by the teacher's cls-to-patch
  attention; ``floor(ratio * h*w)`` are masked (the paper's default, 80%).

Row counts round down, as the official generators do: on a 14-row grid
80% masks 11 rows (78.6%).
"""

from typing import Optional

import torch
from torch import Tensor

__all__ = ['MASK_TYPES', 'generate_mask', 'mask_ratio_of']

MASK_TYPES = ('random', 'tube', 'clip_row', 'frame_row', 'attention')


def _check_ratio(ratio: float) -> float:
    if not 0.0 <= float(ratio) < 1.0:
        raise ValueError(
            f'mask ratio must be in [0, 1) (the fraction of hidden tokens), '
            f'got {ratio!r}'
        )
    return float(ratio)


def _choose(
    num_rows: int, total: int, count: int, generator, device
) -> Tensor:
    """``(num_rows, total)`` bool, exactly ``count`` random Trues a row."""
    scores = torch.rand(num_rows, total, generator=generator, device=device)
    picked = scores.argsort(dim=1)[:, :count]
    mask = torch.zeros(num_rows, total, dtype=torch.bool, device=device)
    return mask.scatter_(1, picked, True)


def generate_mask(
    mask_type: str,
    batch: int,
    frames: int,
    grid: tuple,
    ratio: float,
    attention: Optional[Tensor] = None,
    generator: Optional[torch.Generator] = None,
    device=None,
) -> Tensor:
    """A token mask of one of :data:`MASK_TYPES`.

    Args:
        mask_type (str): One of :data:`MASK_TYPES`.
        batch (int): Clips ``N``.
        frames (int): Token frames ``T`` (frames / tubelet size).
        grid (tuple[int, int]): Patch grid ``(h, w)``.
        ratio (float): Fraction of tokens to hide, in ``[0, 1)``.
        attention (Tensor, optional): ``(N, T, h*w)`` non-negative weights
            (the teacher's cls-to-patch attention), needed by
            ``'attention'``. Defaults to None.
        generator (torch.Generator, optional): Random source. Defaults to
            None (the global one).
        device (torch.device, optional): Where the mask is made. Defaults
            to the attention's device, else CPU.

    Returns:
        Tensor: ``(N, T, h*w)`` bool, True = masked.
    """
    if mask_type not in MASK_TYPES:
        raise ValueError(
            f'unknown mask type {mask_type!r}; choose from {MASK_TYPES}'
        )
    ratio = _check_ratio(ratio)
    h, w = int(grid[0]), int(grid[1])
    hw = h * w
    if device is None:
        device = attention.device if attention is not None else 'cpu'
    if mask_type == 'random':
        count = round(ratio * frames * hw)
        mask = _choose(batch, frames * hw, count, generator, device)
        return mask.view(batch, frames, hw)
    if mask_type == 'tube':
        mask = _choose(batch, hw, round(ratio * hw), generator, device)
        return mask[:, None].expand(batch, frames, hw).contiguous()
    if mask_type == 'clip_row':
        rows = _choose(
            batch, frames * h, frames * int(ratio * h), generator, device
        )
        rows = rows.view(batch, frames, h, 1)
        return rows.expand(batch, frames, h, w).reshape(batch, frames, hw)
    if mask_type == 'frame_row':
        rows = _choose(batch * frames, h, int(ratio * h), generator, device)
        rows = rows.view(batch, frames, h, 1)
        return rows.expand(batch, frames, h, w).reshape(batch, frames, hw)
    # attention
    if attention is None:
        raise ValueError(
            "mask_type='attention' needs the teacher's cls-to-patch "
            'attention (N, T, h*w)'
        )
    if tuple(attention.shape) != (batch, frames, hw):
        raise ValueError(
            f'attention must be shaped {(batch, frames, hw)} (N, T, h*w), '
            f'got {tuple(attention.shape)}'
        )
    visible = hw - int(ratio * hw)
    weights = attention.detach().float().reshape(batch * frames, hw)
    weights = weights.clamp_min(0) + 1e-12  # every token stays drawable
    keep = torch.multinomial(
        weights, visible, replacement=False, generator=generator
    )
    mask = torch.ones(batch * frames, hw, dtype=torch.bool, device=device)
    mask.scatter_(1, keep.to(device), False)
    return mask.view(batch, frames, hw)


def mask_ratio_of(mask: Tensor) -> float:
    """The fraction of masked tokens of a mask (for logs and tests)."""
    return mask.float().mean().item()
