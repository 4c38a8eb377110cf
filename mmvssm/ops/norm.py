# Copyright (c) mmvssm contributors. All rights reserved.
"""Residual add fused with RMSNorm, as in Mamba's pre-norm blocks.

On CUDA it uses mamba-ssm's Triton ``rms_norm_fn`` (one kernel for add +
norm) when importable; elsewhere ``torch.nn.functional.rms_norm`` with the
weight and eps of the given ``torch.nn.RMSNorm``.
"""

import importlib
from functools import cache
from typing import Callable, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ['add_rms_norm']

# mamba-ssm 2.x renamed the module; 1.x (and VideoMamba's fork) used the old
# name.
_TRITON_MODULES = (
    'mamba_ssm.ops.triton.layer_norm',
    'mamba_ssm.ops.triton.layernorm',
)


@cache
def _triton_rms_norm() -> Optional[Callable]:
    """Import mamba-ssm's Triton ``rms_norm_fn`` once; None if unavailable."""
    for name in _TRITON_MODULES:
        try:
            return importlib.import_module(name).rms_norm_fn
        except Exception:  # noqa: BLE001, S112
            # Missing package, missing Triton or a broken build: next / torch.
            continue
    return None


def add_rms_norm(
    x: Tensor,
    residual: Optional[Tensor],
    norm: nn.RMSNorm,
    residual_in_fp32: bool = True,
) -> Tuple[Tensor, Tensor]:
    """Add ``x`` to the residual stream, then RMS-normalise the sum.

    ``residual = x if residual is None else residual + x`` (kept in fp32 when
    ``residual_in_fp32``); ``normed = RMSNorm(residual)`` computed in the
    residual's precision and cast to ``x.dtype``.

    Args:
        x: New branch output, (..., C).
        residual: Residual stream so far, or None for the first block.
        norm: The ``torch.nn.RMSNorm`` whose weight and eps are used.
        residual_in_fp32: Keep the residual stream in fp32.

    Returns:
        tuple: ``(normed, residual)``.
    """
    if not isinstance(norm, nn.RMSNorm):
        raise TypeError(
            f'add_rms_norm: norm must be a torch.nn.RMSNorm, got '
            f'{type(norm).__name__}.'
        )
    weight = norm.weight
    triton_fn = _triton_rms_norm() if x.is_cuda else None
    if (
        triton_fn is not None
        and weight is not None
        and len(norm.normalized_shape) == 1
    ):
        eps = norm.eps if norm.eps is not None else torch.finfo(x.dtype).eps
        return triton_fn(
            x,
            weight,
            None,
            residual=residual,
            prenorm=True,
            residual_in_fp32=residual_in_fp32,
            eps=eps,
        )
    residual = x if residual is None else residual + x
    if residual_in_fp32:
        residual = residual.float()
    if weight is not None:
        weight = weight.to(residual.dtype)
    normed = F.rms_norm(residual, norm.normalized_shape, weight, norm.eps)
    return normed.to(x.dtype), residual
