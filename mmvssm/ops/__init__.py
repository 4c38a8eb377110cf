# Copyright (c) mmvssm contributors. All rights reserved.
"""Operators: selective scan, causal conv1d, fused add + RMSNorm.

Each one runs a CUDA kernel (mamba-ssm / causal-conv1d) when the package is
installed and the tensors are on CUDA, and plain PyTorch otherwise, chosen
the same way for all three (``backend=`` argument, environment variable,
``'auto'``; see :mod:`mmvssm.ops.kernels`). :func:`kernel_availability`
says which kernels can run and why not.
"""

from .causal_conv1d import (
    CONV_BACKEND_ENV,
    CONV_BACKENDS,
    causal_conv1d,
    get_causal_conv1d_backend,
)
from .kernels import KernelInfo, kernel_availability
from .norm import (
    NORM_BACKEND_ENV,
    NORM_BACKENDS,
    add_rms_norm,
    get_add_rms_norm_backend,
)
from .selective_scan import (
    SCAN_BACKEND_ENV,
    SCAN_BACKENDS,
    clear_scan_workspace,
    get_selective_scan_backend,
    selective_scan,
    selective_scan_ref,
)

__all__ = [
    'CONV_BACKENDS',
    'CONV_BACKEND_ENV',
    'KernelInfo',
    'NORM_BACKENDS',
    'NORM_BACKEND_ENV',
    'SCAN_BACKENDS',
    'SCAN_BACKEND_ENV',
    'add_rms_norm',
    'causal_conv1d',
    'clear_scan_workspace',
    'get_add_rms_norm_backend',
    'get_causal_conv1d_backend',
    'get_selective_scan_backend',
    'kernel_availability',
    'selective_scan',
    'selective_scan_ref',
]
