# Copyright (c) mmvssm contributors. All rights reserved.
"""Residual add fused with RMSNorm, as in Mamba's pre-norm blocks.

Backends (``backend`` argument or ``MMVSSM_NORM_BACKEND``, see
:mod:`mmvssm.ops.kernels`): ``'triton'``, mamba-ssm's Triton ``rms_norm_fn``
(one kernel for add + norm), and ``'torch'``,
``torch.nn.functional.rms_norm`` with the weight and eps of the given
``torch.nn.RMSNorm``; ``'auto'`` takes the kernel where it can run.
"""

from typing import Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .kernels import OptionalKernel

__all__ = [
    'NORM_BACKENDS',
    'NORM_BACKEND_ENV',
    'add_rms_norm',
    'get_add_rms_norm_backend',
]

NORM_BACKEND_ENV = 'MMVSSM_NORM_BACKEND'
NORM_BACKENDS = ('auto', 'triton', 'torch')
NORM_KERNEL = OptionalKernel(
    'add_rms_norm',
    NORM_BACKENDS,
    NORM_BACKEND_ENV,
    package='mamba-ssm (Triton)',
    # mamba-ssm 2.x renamed the module; 1.x (and VideoMamba's fork) used the
    # old name.
    imports=(
        ('mamba_ssm.ops.triton.layer_norm', 'rms_norm_fn'),
        ('mamba_ssm.ops.triton.layernorm', 'rms_norm_fn'),
    ),
)


def get_add_rms_norm_backend(
    device: Union[str, torch.device, None] = None,
    backend: Optional[str] = None,
    norm: Optional[nn.RMSNorm] = None,
) -> str:
    """Resolve which backend runs :func:`add_rms_norm` on ``device``.

    Args:
        device: Device of the input. Defaults to CPU.
        backend: Requested backend; None reads ``MMVSSM_NORM_BACKEND`` and
            falls back to ``'auto'``.
        norm: The norm to apply; the kernel needs an affine 1-D one.

    Returns:
        str: ``'triton'`` or ``'torch'``.
    """
    unsupported = ''
    if norm is not None and (
        norm.weight is None or len(norm.normalized_shape) != 1
    ):
        unsupported = 'the kernel needs an affine RMSNorm over one dim'
    return NORM_KERNEL.resolve(backend, device, unsupported)


def add_rms_norm(
    x: Tensor,
    residual: Optional[Tensor],
    norm: nn.RMSNorm,
    residual_in_fp32: bool = True,
    backend: Optional[str] = None,
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
        backend: ``'auto'``, ``'triton'`` or ``'torch'``; None reads
            ``MMVSSM_NORM_BACKEND`` (default ``'auto'``).

    Returns:
        tuple: ``(normed, residual)``.
    """
    if not isinstance(norm, nn.RMSNorm):
        raise TypeError(
            f'add_rms_norm: norm must be a torch.nn.RMSNorm, got '
            f'{type(norm).__name__}.'
        )
    weight = norm.weight
    if get_add_rms_norm_backend(x.device, backend, norm) == 'triton':
        eps = norm.eps if norm.eps is not None else torch.finfo(x.dtype).eps
        return NORM_KERNEL.load()[0](
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
