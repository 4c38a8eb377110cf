# Copyright (c) mmvssm contributors. All rights reserved.
"""Causal depthwise 1-D convolution (Mamba's short convolution).

Uses Dao-AILab's ``causal_conv1d_fn`` CUDA kernel for CUDA tensors when the
``causal-conv1d`` package imports, ``F.conv1d`` otherwise (same numbers).
"""

from functools import cache
from typing import Callable, Optional

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = ['causal_conv1d', 'causal_conv1d_kernel_available']

_ACTIVATIONS = (None, 'silu', 'swish')
# Widths and dtypes the CUDA kernel is built for.
_KERNEL_WIDTHS = (2, 3, 4)
_KERNEL_DTYPES = (torch.float32, torch.float16, torch.bfloat16)


@cache
def _conv_kernel() -> Optional[Callable]:
    """Import ``causal_conv1d_fn`` once; None when unavailable."""
    try:
        from causal_conv1d import causal_conv1d_fn
    except Exception:  # noqa: BLE001
        # A broken CUDA build fails with ImportError, OSError or
        # RuntimeError; all mean "use F.conv1d".
        return None
    return causal_conv1d_fn


def causal_conv1d_kernel_available(x: Tensor, width: int) -> bool:
    """Whether the CUDA kernel can run a width-``width`` conv on ``x``.

    Args:
        x: The input tensor.
        width: Kernel width.

    Returns:
        bool: True for CUDA tensors of a supported dtype and width when
        ``causal-conv1d`` imports.
    """
    return (
        x.is_cuda
        and x.dtype in _KERNEL_DTYPES
        and width in _KERNEL_WIDTHS
        and _conv_kernel() is not None
    )


def causal_conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Optional[Tensor] = None,
    activation: Optional[str] = None,
    use_kernel: Optional[bool] = None,
) -> Tensor:
    """Depthwise causal conv1d: ``y[t]`` sees ``x[t - width + 1 .. t]``.

    Args:
        x: Input, (batch, dim, length).
        weight: Per-channel filters, (dim, width) or (dim, 1, width) as in
            ``nn.Conv1d(dim, dim, width, groups=dim).weight``.
        bias: Per-channel bias, (dim,).
        activation: None, ``'silu'`` or ``'swish'`` (fused in the kernel).
        use_kernel: None picks the kernel when possible; True requires it;
            False forces ``F.conv1d``.

    Returns:
        Tensor: (batch, dim, length).
    """
    if weight.dim() == 3 and weight.shape[1] == 1:
        weight = weight.squeeze(1)
    if x.dim() != 3 or weight.dim() != 2 or weight.shape[0] != x.shape[1]:
        raise ValueError(
            f'causal_conv1d: expected x (batch, dim, length) and weight '
            f'(dim, width) or (dim, 1, width) with the same dim; got x '
            f'{tuple(x.shape)} and weight {tuple(weight.shape)}.'
        )
    if activation not in _ACTIVATIONS:
        raise ValueError(
            f'causal_conv1d: activation must be one of {_ACTIVATIONS}, got '
            f'{activation!r}.'
        )
    dim, width = weight.shape
    kernel_ok = causal_conv1d_kernel_available(x, width)
    if use_kernel and not kernel_ok:
        raise RuntimeError(
            f'causal_conv1d: use_kernel=True but the causal-conv1d CUDA '
            f'kernel cannot run here (device {x.device}, dtype {x.dtype}, '
            f'width {width}; needs an importable causal-conv1d, CUDA, a '
            f'width in {_KERNEL_WIDTHS}); pass use_kernel=None.'
        )
    if kernel_ok and use_kernel is not False:
        return _conv_kernel()(x, weight, bias, activation=activation)
    out = F.conv1d(x, weight.unsqueeze(1), bias, padding=width - 1, groups=dim)
    out = out[..., : x.shape[-1]]
    return out if activation is None else F.silu(out)
