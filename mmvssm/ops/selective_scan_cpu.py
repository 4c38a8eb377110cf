# Copyright (c) mmvssm contributors. All rights reserved.
"""Fused CPU selective scan: a C++ kernel compiled on first use.

The ``'chunked'`` backend of :func:`mmvssm.ops.selective_scan` materialises
(batch, dim, L, d_state) tensors and runs ~2 sqrt(2 L) large PyTorch steps.
This backend instead keeps each channel's state in SIMD registers and walks
the sequence once, parallel over batch x channels (``at::parallel_for``),
vectorised over the states with ATen's ``Vectorized<float>`` whose ``exp`` is
SLEEF's vectorised ``expf`` (built for AVX2 or AVX512 when the CPU has it).
The backward recomputes the states chunk by chunk from states stored every
``chunk_size`` steps in the forward (O(batch x dim x d_state x L / chunk)
memory; the working set per channel is one chunk) and runs the adjoint
recurrence in reverse time. fp32 arithmetic throughout; same results and
gradients as :func:`mmvssm.ops.selective_scan_ref` (tested at 1e-5).

The kernel source ``csrc/selective_scan_cpu.cpp`` is compiled by
``torch.utils.cpp_extension.load`` on the first call (about a minute; cached
per user in torch's extension directory, ``TORCH_EXTENSIONS_DIR``; concurrent
first uses wait on torch's file lock). :func:`fused_scan_available` says
whether that worked and, if not, why; nothing raises at import.
"""

import math
import os
import shutil
from functools import cache
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable

from ..utils.messages import first_line
from .selective_scan import ScanArgs, ScanOutput, _scan_frame, bind_scan_args

__all__ = ['fused_scan_available', 'selective_scan_fused']

SOURCE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    'csrc',
    'selective_scan_cpu.cpp',
)
# Time steps between two stored states (the backward's recompute chunk).
DEFAULT_CHUNK = 64
# Largest d_state the kernel takes (32 SIMD vectors of the state).
MAX_D_STATE = 256

# ATen's SIMD flavours: compiler flags and the CPU_CAPABILITY macro that make
# at::vec::Vectorized use AVX2 / AVX512 (and SLEEF for exp).
_CAPABILITY_FLAGS = {
    'AVX512': [
        '-mavx512f',
        '-mavx512bw',
        '-mavx512vl',
        '-mavx512dq',
        '-mfma',
        '-DCPU_CAPABILITY=AVX512',
        '-DCPU_CAPABILITY_AVX512',
    ],
    'AVX2': [
        '-mavx2',
        '-mfma',
        '-DCPU_CAPABILITY=AVX2',
        '-DCPU_CAPABILITY_AVX2',
    ],
}


@cache
def _extension() -> Tuple[Optional[object], str]:
    """Compile (or load the cached build of) the kernel once per process.

    Returns:
        tuple: The extension module (or None) and, when None, why not.
    """
    if not os.path.isfile(SOURCE):
        return None, f'kernel source {SOURCE} is missing from the install'
    try:
        from torch.utils import cpp_extension
    except Exception as exc:  # noqa: BLE001
        return None, f'torch.utils.cpp_extension unusable ({exc})'
    compiler = os.environ.get('CXX', 'c++')
    if shutil.which(compiler) is None:
        return None, (
            f'no C++ compiler ({compiler!r} not on PATH); install g++ or set '
            'CXX'
        )
    if not cpp_extension.is_ninja_available():
        return None, 'ninja is not installed; pip install ninja'
    capability = torch.backends.cpu.get_cpu_capability()
    simd = capability if capability in _CAPABILITY_FLAGS else 'DEFAULT'
    flags = _CAPABILITY_FLAGS.get(simd, ['-DCPU_CAPABILITY=DEFAULT'])
    try:
        module = cpp_extension.load(
            name=f'mmvssm_selective_scan_cpu_{simd.lower()}',
            sources=[SOURCE],
            extra_cflags=['-O3', '-fopenmp', *flags],
            extra_ldflags=['-fopenmp'],
            verbose=False,
        )
    except Exception as exc:  # noqa: BLE001
        first = first_line(exc)
        return None, (
            f'compiling {SOURCE} failed ({type(exc).__name__}: {first}); '
            'rerun torch.utils.cpp_extension.load(..., verbose=True) to see '
            'the compiler output'
        )
    return module, ''


def fused_scan_available() -> Tuple[bool, str]:
    """Whether the fused CPU scan can run here (compiles it on first call).

    Returns:
        tuple: ``(True, '')`` or ``(False, one-line reason)``.
    """
    module, reason = _extension()
    return module is not None, reason


class _FusedScan(torch.autograd.Function):
    """Core scan ``y_t = sum_n C_t h_t`` on the kernel's fp32 layouts.

    Inputs: ``u`` and ``delta`` (batch, dim, L); ``A`` (dim, Np); ``B`` and
    ``C`` either (batch, groups, L, Np) or time-invariant (dim, Np), with Np
    the padded d_state. Outputs ``y`` (batch, dim, L) and the last state
    (batch, dim, Np), which carries no gradient.
    """

    @staticmethod
    def forward(
        ctx,
        u: Tensor,
        delta: Tensor,
        A: Tensor,
        B: Tensor,
        C: Tensor,
        groups: int,
        chunk: int,
    ) -> Tuple[Tensor, Tensor]:
        module = _extension()[0]
        tv = (B.dim() == 4, C.dim() == 4)
        save = any(ctx.needs_input_grad[:5])
        y, last, states = module.forward(
            u, delta, A, B, C, *tv, groups, chunk, save
        )
        if save:
            ctx.save_for_backward(u, delta, A, B, C, states)
        ctx.meta = (tv, groups, chunk)
        ctx.mark_non_differentiable(last)
        return y, last

    @staticmethod
    @once_differentiable
    def backward(
        ctx, grad_y: Tensor, grad_last: Optional[Tensor]
    ) -> Tuple[Optional[Tensor], ...]:
        u, delta, A, B, C, states = ctx.saved_tensors
        tv, groups, chunk = ctx.meta
        du, ddelta, dA, dB, dC = _extension()[0].backward(
            u,
            delta,
            A,
            B,
            C,
            *tv,
            groups,
            chunk,
            states,
            grad_y.float().contiguous(),
        )
        # Per-task partial sums: over channel splits (time-varying) or over
        # the batch (time-invariant); dA is per batch element.
        return du, ddelta, dA.sum(0), dB.sum(0), dC.sum(0), None, None


def _kernel_layout(mat: Tensor, groups: int, width: int) -> Tensor:
    """B or C in the kernel's layout, fp32, d_state padded to ``width``.

    Time-varying matrices become (batch, groups, L, Np), time-invariant ones
    (dim, Np).
    """
    mat = mat.float()
    if mat.dim() == 3:
        mat = mat[:, None]
    if mat.dim() == 4:
        if mat.shape[1] != groups:
            mat = mat.repeat_interleave(groups // mat.shape[1], dim=1)
        mat = mat.transpose(2, 3)
    pad = -mat.shape[-1] % width
    return F.pad(mat, (0, pad)).contiguous()


def _fused_core(
    scan: ScanArgs, u: Tensor, delta: Tensor, chunk: int, width: int
) -> Tuple[Tensor, Tensor]:
    """The kernel on fp32 ``u`` and prepared ``delta``; d_state unpadded."""
    dim, d_state = u.shape[1], scan.A.shape[1]
    # Time-varying B and C share one grouping: the finer of the two.
    mats = (scan.B, scan.C)
    groups = [m.shape[1] if m.dim() == 4 else 1 for m in mats if m.dim() > 2]
    groups = math.lcm(*groups) if groups else dim
    y, last = _FusedScan.apply(
        u.contiguous(),
        delta.contiguous(),
        F.pad(scan.A.float(), (0, -d_state % width)).contiguous(),
        _kernel_layout(scan.B, groups, width),
        _kernel_layout(scan.C, groups, width),
        groups,
        chunk,
    )
    return y, last[..., :d_state]


def selective_scan_fused(
    *args, chunk_size: Optional[int] = None, **kwargs
) -> ScanOutput:
    """Selective scan on CPU with the fused C++ kernel.

    Arguments (:class:`~mmvssm.ops.selective_scan.ScanArgs`, by position or
    name) and result as in :func:`mmvssm.ops.selective_scan`, on CPU
    tensors, with ``chunk_size`` (by name) the steps between the states
    stored for the backward (None: 64) and no ``backend``; the last state
    carries no gradient. ``delta_bias``, softplus, ``D`` and the ``z`` gate
    run as PyTorch ops around the kernel, exactly as in the reference.

    Args:
        *args: The scan's arguments by position.
        chunk_size (int, optional): Steps between stored states.
            Defaults to None (64).
        **kwargs: The scan's arguments by name.

    Returns:
        Tensor or tuple: Output (batch, dim, length) in ``u``'s dtype, and the
        last state (batch, dim, d_state) when ``return_last_state``.
    """
    scan = bind_scan_args(args, kwargs)
    module, reason = _extension()
    if module is None:
        raise RuntimeError(
            f'The fused CPU selective scan is unavailable: {reason}; use '
            "backend='chunked'."
        )
    if scan.u.device.type != 'cpu':
        raise ValueError(
            f'selective_scan_fused runs on CPU tensors, got {scan.u.device}; '
            "use backend='auto' for other devices."
        )
    d_state = scan.A.shape[1]
    if d_state > MAX_D_STATE:
        raise ValueError(
            f'selective_scan_fused takes d_state <= {MAX_D_STATE}, got '
            f"{d_state}; use backend='chunked'."
        )
    chunk = DEFAULT_CHUNK if chunk_size is None else chunk_size
    if chunk < 1:
        raise ValueError(f'chunk_size must be >= 1, got {chunk}.')
    return _scan_frame(scan, _fused_core, chunk=chunk, width=module.simd_width)
