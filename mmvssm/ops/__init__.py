# Copyright (c) mmvssm contributors. All rights reserved.
"""Operators: selective scan, causal conv1d, fused add + RMSNorm.

Each one runs a CUDA kernel (mamba-ssm / causal-conv1d) when the package is
installed and the tensors are on CUDA, and plain PyTorch otherwise. Kernel
packages are imported lazily, on the first CUDA call.
"""

from .causal_conv1d import causal_conv1d, causal_conv1d_kernel_available
from .norm import add_rms_norm
from .selective_scan import (
    SCAN_BACKEND_ENV,
    SCAN_BACKENDS,
    clear_scan_workspace,
    get_selective_scan_backend,
    last_selective_scan_backend,
    selective_scan,
    selective_scan_ref,
)

__all__ = [
    'SCAN_BACKENDS',
    'SCAN_BACKEND_ENV',
    'add_rms_norm',
    'causal_conv1d',
    'causal_conv1d_kernel_available',
    'clear_scan_workspace',
    'get_selective_scan_backend',
    'last_selective_scan_backend',
    'selective_scan',
    'selective_scan_ref',
]
