# Copyright (c) mmvssm contributors. All rights reserved.
"""Causal depthwise 1-D convolution (Mamba's short convolution).

Backends (``backend`` argument or ``MMVSSM_CONV_BACKEND``, see
:mod:`mmvssm.ops.kernels`): ``'causal_conv1d'``, Dao-AILab's
``causal_conv1d_fn`` CUDA kernel, and ``'torch'``, ``F.conv1d`` (same
numbers); ``'auto'`` takes the kernel where it can run.
"""

from typing import Optional, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from .kernels import OptionalKernel

__all__ = [
    'CONV_BACKENDS',
    'CONV_BACKEND_ENV',
    'causal_conv1d',
    'get_causal_conv1d_backend',
]

CONV_BACKEND_ENV = 'MMVSSM_CONV_BACKEND'
CONV_BACKENDS = ('auto', 'causal_conv1d', 'torch')
CONV_KERNEL = OptionalKernel(
    'causal_conv1d',
    CONV_BACKENDS,
    CONV_BACKEND_ENV,
    package='causal-conv1d',
    imports=(('causal_conv1d', 'causal_conv1d_fn'),),
)
_ACTIVATIONS = (None, 'silu', 'swish')
# Widths and dtypes the CUDA kernel is built for.
_KERNEL_WIDTHS = (2, 3, 4)
_KERNEL_DTYPES = (torch.float32, torch.float16, torch.bfloat16)


def get_causal_conv1d_backend(
    device: Union[str, torch.device, None] = None,
    backend: Optional[str] = None,
    dtype: torch.dtype = torch.float32,
    width: int = 4,
) -> str:
    """Resolve which backend runs a width-``width`` conv on ``device``.

    Args:
        device: Device of the input. Defaults to CPU.
        backend: Requested backend; None reads ``MMVSSM_CONV_BACKEND`` and
            falls back to ``'auto'``.
        dtype: Dtype of the input. Defaults to float32.
        width: Kernel width. Defaults to 4.

    Returns:
        str: ``'causal_conv1d'`` or ``'torch'``.
    """
    unsupported = ''
    if dtype not in _KERNEL_DTYPES or width not in _KERNEL_WIDTHS:
        unsupported = (
            f'the kernel is built for widths {_KERNEL_WIDTHS} and dtypes '
            f'{[str(d)[6:] for d in _KERNEL_DTYPES]}, got width {width}, '
            f'{str(dtype)[6:]}'
        )
    return CONV_KERNEL.resolve(backend, device, unsupported)


def causal_conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Optional[Tensor] = None,
    activation: Optional[str] = None,
    backend: Optional[str] = None,
) -> Tensor:
    """Depthwise causal conv1d: ``y[t]`` sees ``x[t - width + 1 .. t]``.

    Args:
        x: Input, (batch, dim, length).
        weight: Per-channel filters, (dim, width) or (dim, 1, width) as in
            ``nn.Conv1d(dim, dim, width, groups=dim).weight``.
        bias: Per-channel bias, (dim,).
        activation: None, ``'silu'`` or ``'swish'`` (fused in the kernel).
        backend: ``'auto'``, ``'causal_conv1d'`` or ``'torch'``; None reads
            ``MMVSSM_CONV_BACKEND`` (default ``'auto'``).

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
    # int(): under torch.jit.trace, torch 2.6 gives shape entries as tensors.
    dim, width = (int(n) for n in weight.shape)
    name = get_causal_conv1d_backend(x.device, backend, x.dtype, width)
    if name == 'causal_conv1d':
        return CONV_KERNEL.load()[0](x, weight, bias, activation=activation)
    out = F.conv1d(x, weight.unsqueeze(1), bias, padding=width - 1, groups=dim)
    out = out[..., : x.shape[-1]]
    return out if activation is None else F.silu(out)
