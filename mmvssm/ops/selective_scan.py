# Copyright (c) mmvssm contributors. All rights reserved.
"""Selective scan: the input-dependent linear recurrence of Mamba (S6).

For every batch element, channel ``d`` and state ``n``, starting from a zero
state::

    h_t = exp(delta_t * A) * h_{t-1} + delta_t * B_t * u_t
    y_t = sum_n C_t * h_t + D * u_t,   optionally times silu(z_t)

with exactly the semantics of mamba-ssm's ``selective_scan_ref`` (ZOH for A,
Euler for B, softplus with threshold 20, fp32 arithmetic, output cast back to
the dtype of ``u``). Three interchangeable backends compute it:

* ``'mamba_ssm'``: mamba-ssm's fused CUDA kernel ``selective_scan_fn``; the
  default for CUDA tensors when ``mamba_ssm`` imports.
* ``'chunked'``: pure PyTorch, a two-level scan with a hand-written backward
  (see :class:`_ChunkedScan`); the default everywhere else (CPU, GPUs without
  the kernel).
* ``'ref'``: the sequential loop over time steps, autograd through it; slow,
  kept as the golden reference for tests.

Choose one with the ``backend`` argument or the ``MMVSSM_SCAN_BACKEND``
environment variable (``auto`` | ``mamba_ssm`` | ``chunked`` | ``ref``), as
for every optional kernel (see :mod:`mmvssm.ops.kernels`);
:func:`get_selective_scan_backend` tells which one runs for a device.
"""

import math
import threading
from contextlib import nullcontext
from typing import Callable, ContextManager, NamedTuple, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable

from .kernels import OptionalKernel

__all__ = [
    'SCAN_BACKENDS',
    'SCAN_BACKEND_ENV',
    'ScanArgs',
    'bind_scan_args',
    'clear_scan_workspace',
    'get_selective_scan_backend',
    'selective_scan',
    'selective_scan_ref',
]

SCAN_BACKEND_ENV = 'MMVSSM_SCAN_BACKEND'
SCAN_BACKENDS = ('auto', 'mamba_ssm', 'chunked', 'ref')
SCAN_KERNEL = OptionalKernel(
    'selective_scan',
    SCAN_BACKENDS,
    SCAN_BACKEND_ENV,
    package='mamba-ssm',
    imports=(('mamba_ssm.ops.selective_scan_interface', 'selective_scan_fn'),),
)

ScanOutput = Union[Tensor, Tuple[Tensor, Tensor]]


def get_selective_scan_backend(
    device: Union[str, torch.device, None] = None,
    backend: Optional[str] = None,
) -> str:
    """Resolve which selective-scan backend runs for tensors on ``device``.

    Args:
        device: Device of the inputs. Defaults to CPU.
        backend: Requested backend; None reads ``MMVSSM_SCAN_BACKEND`` and
            falls back to ``'auto'``.

    Returns:
        str: ``'mamba_ssm'``, ``'chunked'`` or ``'ref'``.
    """
    return SCAN_KERNEL.resolve(backend, device)


def _autocast_off(device: torch.device) -> ContextManager:
    """Disable autocast so that the scan accumulates in fp32."""
    if device.type in ('cpu', 'cuda'):
        return torch.autocast(device_type=device.type, enabled=False)
    return nullcontext()


class ScanArgs(NamedTuple):
    """The arguments every selective-scan entry point takes, bound once.

    :func:`selective_scan`, :func:`selective_scan_ref` and
    :func:`mmvssm.ops.selective_scan_cpu.selective_scan_fused` bind their
    positional and keyword arguments to these fields (documented in
    :func:`selective_scan`); the backends read them from here.
    """

    u: Tensor
    delta: Tensor
    A: Tensor
    B: Tensor
    C: Tensor
    D: Optional[Tensor] = None
    z: Optional[Tensor] = None
    delta_bias: Optional[Tensor] = None
    delta_softplus: bool = False
    return_last_state: bool = False


# A scan core: fp32 ``u`` and the prepared ``delta`` in, ``(y, last state)``
# out; :func:`_scan_frame` does the rest.
ScanCore = Callable[..., Tuple[Tensor, Tensor]]


def bind_scan_args(args: tuple, kwargs: dict) -> ScanArgs:
    """Bind an entry point's arguments to :class:`ScanArgs` and check them.

    Args:
        args (tuple): Positional arguments, in :class:`ScanArgs` order.
        kwargs (dict): Keyword arguments.

    Returns:
        ScanArgs: The bound arguments.
    """
    scan = ScanArgs(*args, **kwargs)
    _check_inputs(scan)
    return scan


def _check_inputs(scan: ScanArgs) -> None:
    """Raise a one-line error for inputs the scan cannot take."""
    u, delta, A, B, C, D, z, delta_bias = scan[:8]
    if u.dim() != 3:
        raise ValueError(
            f'selective_scan: u must be (batch, dim, length), got shape '
            f'{tuple(u.shape)}.'
        )
    batch, dim, length = u.shape
    if delta.shape != u.shape or (z is not None and z.shape != u.shape):
        raise ValueError(
            f'selective_scan: delta and z must have the shape of u '
            f'{tuple(u.shape)}, got delta {tuple(delta.shape)}'
            f'{"" if z is None else f" and z {tuple(z.shape)}"}.'
        )
    if A.is_complex():
        raise ValueError(
            'selective_scan: complex A is not supported; pass a real (dim, '
            'd_state) A as Mamba does (A = -exp(A_log)).'
        )
    if A.dim() != 2 or A.shape[0] != dim:
        raise ValueError(
            f'selective_scan: A must be (dim={dim}, d_state), got '
            f'{tuple(A.shape)}.'
        )
    d_state = A.shape[1]
    for name, mat in (('B', B), ('C', C)):
        ok = (
            (mat.dim() == 2 and mat.shape == A.shape)
            or (mat.dim() == 3 and mat.shape == (batch, d_state, length))
            or (
                mat.dim() == 4
                and mat.shape[0] == batch
                and mat.shape[2:] == (d_state, length)
                and dim % mat.shape[1] == 0
            )
        )
        if not ok:
            raise ValueError(
                f'selective_scan: {name} must be (dim, d_state), (batch, '
                f'd_state, length) or (batch, groups, d_state, length) with '
                f'groups dividing dim; got {tuple(mat.shape)} for u '
                f'{tuple(u.shape)} and d_state {d_state}.'
            )
    for name, vec in (('D', D), ('delta_bias', delta_bias)):
        if vec is not None and vec.shape != (dim,):
            raise ValueError(
                f'selective_scan: {name} must be ({dim},), got '
                f'{tuple(vec.shape)}.'
            )


def _scan_frame(scan: ScanArgs, core: ScanCore, **options) -> ScanOutput:
    """What the PyTorch and CPU backends share around their core scan.

    With autocast off: ``u`` in fp32 and ``delta`` with bias and softplus
    (fp32) go to ``core(scan, u, delta, **options)``; its ``y`` gets the
    skip ``D * u`` and the ``silu(z)`` gate and is cast back to the dtype of
    ``u``, as the reference does.

    Args:
        scan (ScanArgs): The bound arguments.
        core (callable): Returns ``(y, last state)`` in fp32.
        **options: Passed on to ``core``.

    Returns:
        Tensor or tuple: As :func:`selective_scan`.
    """
    with _autocast_off(scan.u.device):
        u, delta = scan.u.float(), scan.delta.float()
        if scan.delta_bias is not None:
            delta = delta + scan.delta_bias[..., None].float()
        if scan.delta_softplus:
            delta = F.softplus(delta)
        y, last = core(scan, u, delta, **options)
        out = y if scan.D is None else y + u * scan.D[:, None].float()
        if scan.z is not None:
            out = out * F.silu(scan.z)
        out = out.to(scan.u.dtype)
    return (out, last) if scan.return_last_state else out


def _per_channel(mat: Tensor, dim: int) -> Tensor:
    """View B or C as broadcastable to (batch, dim, length, d_state)."""
    if mat.dim() == 2:  # time-invariant (dim, d_state)
        return mat.float()[None, :, None, :]
    if mat.dim() == 3:  # (batch, d_state, length), shared by all channels
        return mat.float().transpose(1, 2)[:, None]
    groups = mat.shape[1]
    mat = mat.float().repeat_interleave(dim // groups, dim=1)
    return mat.transpose(2, 3)


def _ref_core(
    scan: ScanArgs, u: Tensor, delta: Tensor
) -> Tuple[Tensor, Tensor]:
    """The sequential loop over time steps (autograd through it)."""
    dim, A = u.shape[1], scan.A.float()
    delta_a = torch.exp(delta[..., None] * A[:, None, :])
    delta_b_u = (delta * u)[..., None] * _per_channel(scan.B, dim)
    c_mat = _per_channel(scan.C, dim).expand(-1, -1, u.shape[2], -1)
    state = u.new_zeros(u.shape[0], dim, A.shape[1])
    ys = []
    # unbind, not indexing: autograd then stacks the step gradients once
    # instead of scattering each into a zero tensor of the full size.
    steps = zip(delta_a.unbind(2), delta_b_u.unbind(2), c_mat.unbind(2))
    for decay, inputs, c_t in steps:
        state = decay * state + inputs
        ys.append((state * c_t).sum(-1))
    return torch.stack(ys, dim=2), state


def selective_scan_ref(*args, **kwargs) -> ScanOutput:
    """Sequential selective scan, one Python step per time step.

    The golden reference: it follows mamba-ssm's ``selective_scan_ref``
    operation by operation; gradients come from autograd. Arguments
    (:class:`ScanArgs`) and result as in :func:`selective_scan`, without
    ``backend`` and ``chunk_size`` (the last state keeps its gradient here).
    """
    return _scan_frame(bind_scan_args(args, kwargs), _ref_core)


# --------------------------------------------------------------------------
# Chunked backend
# --------------------------------------------------------------------------


def _chunk_layout(length: int, chunk_size: Optional[int]) -> Tuple[int, int]:
    """Chunk length and number of chunks for a sequence.

    The scan makes about ``2 * chunk + n_chunks`` sequential steps; the
    default chunk ~ sqrt(length / 2) minimises that. The chunk length is then
    evened out so that padding stays below one step per chunk.
    """
    if chunk_size is None:
        chunk_size = math.ceil(math.sqrt(length / 2))
    if chunk_size < 1:
        raise ValueError(f'chunk_size must be >= 1, got {chunk_size}.')
    n_chunks = math.ceil(length / chunk_size)
    return math.ceil(length / n_chunks), n_chunks


def _to_chunks(x: Tensor, chunk: int, n_chunks: int) -> Tensor:
    """(..., L) -> contiguous (chunk, n_chunks, ...), zero-padded at the end.

    Time inside a chunk leads so that one step of all chunks is a contiguous
    slice. Done as a 2-D transpose (which torch blocks for cache) and a copy
    of whole rows: ~3x faster than one copy of the permuted tensor.
    """
    lead, length = x.shape[:-1], x.shape[-1]
    rows = x.new_empty(chunk * n_chunks, math.prod(lead))
    rows[:length].copy_(x.reshape(-1, length).t())
    rows[length:].zero_()
    return rows.view(n_chunks, chunk, *lead).transpose(0, 1).contiguous()


def _from_chunks(x: Tensor, length: int) -> Tensor:
    """Inverse of :func:`_to_chunks`: (chunk, n_chunks, ...) -> (..., L)."""
    chunk, n_chunks, *lead = x.shape
    rows = x.transpose(0, 1).reshape(chunk * n_chunks, -1)[:length]
    return rows.t().contiguous().view(*lead, length)


class _Workspace(threading.local):
    """Per-thread scratch buffers of the chunked scan on CPU.

    Each call needs two (forward) or three (backward) fp32 buffers of size
    batch x dim x L x d_state. Fresh CPU allocations that large are mmap-ed
    and page-faulted in on every call, which costs as much as the scan
    itself; reusing them makes the scan ~1.5x faster. The buffers are pure
    scratch: nothing returned or saved for backward points into them. CUDA
    has its own caching allocator and gets plain ``torch.empty``.
    """

    def __init__(self) -> None:
        self.buffers = {}

    def take(self, name: str, shape: torch.Size, like: Tensor) -> Tensor:
        """An uninitialised tensor of ``shape`` (dtype/device of ``like``)."""
        # Tracers (torch.jit.trace, torch.export, torch.compile) get fresh
        # buffers: one reused across calls ties a traced graph to a value of
        # an earlier call (torch.jit.trace fails on the second scan).
        if like.device.type != 'cpu' or _tracing():
            return like.new_empty(shape)
        numel = math.prod(shape)
        buf = self.buffers.get(name)
        if buf is None or buf.numel() < numel or buf.dtype != like.dtype:
            self.buffers.pop(name, None)  # free before allocating anew
            buf = self.buffers[name] = like.new_empty(numel)
        return buf[:numel].view(shape)


def _tracing() -> bool:
    return torch.jit.is_tracing() or torch.compiler.is_compiling()


_WORKSPACE = _Workspace()


def clear_scan_workspace() -> None:
    """Free this thread's scratch buffers of the chunked scan on CPU."""
    _WORKSPACE.buffers.clear()


def _bmul(x: Tensor, y: Tensor, name: str) -> Tensor:
    """Broadcast product written into workspace buffer ``name``."""
    shape = torch.broadcast_shapes(x.shape, y.shape)
    return torch.mul(x, y, out=_WORKSPACE.take(name, shape, x))


def _two_level_scan_(
    x: Tensor,
    decay: Tensor,
    decay_tail: Tensor,
    reverse: bool,
    carry: Optional[Tensor] = None,
) -> Tensor:
    """Linear recurrence over (chunk step, chunk) = dims (0, 1), in place.

    Forward: ``x[t] += decay[t] * x[t - 1]``; reverse (the adjoint):
    ``x[t] += decay[t + 1] * x[t + 1]``, with t the global time. First every
    chunk is scanned on its own (all chunks at once, no storage), then a short
    pass over chunks computes what each chunk receives from its neighbour,
    then the chunks are scanned again, in place, from those carries.

    Args:
        x: (chunk, n_chunks, ...) inputs; overwritten with the states.
        decay: Per-step decay, same shape as ``x``.
        decay_tail: Product of ``decay[1:]`` per chunk, (n_chunks, ...).
        reverse: Scan from the end (the backward pass).
        carry: Carries from an earlier call on the same decay (skips the
            first two passes).

    Returns:
        Tensor: The carries (n_chunks, ...), to reuse in a later call.
    """
    chunk, n_chunks = x.shape[:2]
    first = chunk - 1 if reverse else 0
    steps = range(chunk - 2, -1, -1) if reverse else range(1, chunk)
    shift = 1 if reverse else -1  # where step t reads its neighbour
    dec = 1 if reverse else 0  # which decay step t uses
    if carry is None:
        acc = x[first].clone()
        for t in steps:  # in place: fresh outputs would cost page faults
            torch.addcmul(x[t], decay[t + dec], acc, out=acc)
        # carry[c]: what enters chunk c at its first step (in scan order)
        # from the neighbouring chunk p, already decayed across the border.
        carry = torch.zeros_like(acc)
        chunks = range(n_chunks - 2, -1, -1) if reverse else range(1, n_chunks)
        for c in chunks:
            p = c + shift
            carry[c] = decay[0, max(c, p)] * torch.addcmul(
                acc[p], decay_tail[p], carry[p]
            )
    x[first] += carry
    for t in steps:
        x[t].addcmul_(decay[t + dec], x[t + shift])
    return carry


class _ChunkedScan(torch.autograd.Function):
    """Core scan ``y = sum_n C * h`` on fp32 tensors, chunked over time.

    The sequence is cut into ``n_chunks`` chunks of ``chunk`` steps. Loops
    run over the steps inside a chunk with all chunks in parallel, plus one
    short loop over chunks (see :func:`_two_level_scan_`): about
    ``2 * sqrt(2 L)`` Python steps instead of ``L``, each on a large
    contiguous slice. The backward is written by hand: it recomputes the
    states (nothing of size L x d_state is kept between forward and
    backward, like the CUDA kernel) and runs the adjoint recurrence in
    reverse time.

    Inputs: ``u`` and ``delta`` (batch, dim, L); ``A`` (dim, d_state); ``B``
    and ``C`` (batch, groups, d_state, L). Outputs: ``y`` (batch, dim, L) and
    the last state (batch, dim, d_state), which carries no gradient.
    """

    @staticmethod
    def forward(
        ctx,
        u: Tensor,
        delta: Tensor,
        A: Tensor,
        B: Tensor,
        C: Tensor,
        chunk_size: Optional[int],
    ) -> Tuple[Tensor, Tensor]:
        batch, dim, length = u.shape
        groups, d_state = B.shape[1], B.shape[2]
        chunk, n_chunks = _chunk_layout(length, chunk_size)

        def chunked(x: Tensor) -> Tensor:  # (b, dim, L) -> (T, nc, b, g, dg)
            return _to_chunks(x, chunk, n_chunks).unflatten(-1, (groups, -1))

        u_c, delta_c = chunked(u), chunked(delta)
        b_c = _to_chunks(B, chunk, n_chunks).unsqueeze(-2)
        c_c = _to_chunks(C, chunk, n_chunks).unsqueeze(-2)
        a_g = A.reshape(groups, -1, d_state)
        with _autocast_off(u.device):
            decay, tail, states = _ChunkedScan._states(u_c, delta_c, a_g, b_c)
            carry = _two_level_scan_(states, decay, tail, reverse=False)
            del decay
            y_c = torch.matmul(states, c_c.transpose(-1, -2)).squeeze(-1)
            last = states[-1, -1].reshape(batch, dim, d_state).clone()
        ctx.save_for_backward(u_c, delta_c, a_g, b_c, c_c, carry)
        ctx.length = length
        ctx.mark_non_differentiable(last)
        return _from_chunks(y_c.flatten(-2), length), last

    @staticmethod
    def _states(
        u_c: Tensor, delta_c: Tensor, a_g: Tensor, b_c: Tensor
    ) -> Tuple[Tensor, Tensor, Tensor]:
        """Per-step decays exp(delta A), chunk tails and inputs delta B u."""
        # Decay over steps 1.. of each chunk: the product of exp(delta A).
        tail = (delta_c[1:].sum(0).unsqueeze(-1) * a_g).exp_()
        decay = _bmul(delta_c.unsqueeze(-1), a_g, 'decay').exp_()
        states = _bmul((delta_c * u_c).unsqueeze(-1), b_c, 'states')
        return decay, tail, states

    @staticmethod
    @once_differentiable
    def backward(
        ctx, grad_y: Tensor, grad_last: Optional[Tensor]
    ) -> Tuple[Optional[Tensor], ...]:
        u_c, delta_c, a_g, b_c, c_c, carry = ctx.saved_tensors
        length = ctx.length
        chunk, n_chunks = u_c.shape[:2]
        d_state, a_numel = a_g.shape[-1], a_g.numel()
        with _autocast_off(u_c.device):
            grad_y_c = _to_chunks(grad_y.float(), chunk, n_chunks)
            grad_y_c = grad_y_c.unflatten(-1, a_g.shape[:2])
            decay, tail, states = _ChunkedScan._states(u_c, delta_c, a_g, b_c)
            _two_level_scan_(states, decay, tail, reverse=False, carry=carry)
            # Adjoint states: g[t] = C[t] dy[t] + exp(delta[t+1] A) g[t+1].
            grad_h = _bmul(grad_y_c.unsqueeze(-1), c_c, 'grad_h')
            _two_level_scan_(grad_h, decay, tail, reverse=True)
            grad_c = None
            if ctx.needs_input_grad[4]:
                grad_c = torch.matmul(grad_y_c.unsqueeze(-2), states)
            # d loss / d(delta A)[t] = g[t] * exp(delta[t] A) * h[t-1]
            grad_da = decay.mul_(grad_h)
            grad_da[1:].mul_(states[:-1])
            grad_da[0, 1:].mul_(states[-1, :-1])
            grad_da[0, 0].zero_()  # the state before the sequence is zero
            # Sums over N and over time as products with ones: BLAS reduces
            # faster than torch.sum here (~1.7x).
            grad_delta = torch.mul(grad_da, a_g, out=states)
            grad_delta = torch.matmul(grad_delta, a_g.new_ones(d_state, 1))
            grad_delta = grad_delta.squeeze(-1)
            del states
            grad_a = None
            if ctx.needs_input_grad[2]:
                grad_da = grad_da.mul_(delta_c.unsqueeze(-1)).view(-1, a_numel)
                grad_a = grad_da.new_ones(1, grad_da.shape[0]) @ grad_da
                grad_a = grad_a.view(-1, d_state)
            del grad_da, decay
            # d loss / d(delta B u)[t] = g[t]
            grad_bu = torch.matmul(grad_h, b_c.transpose(-1, -2)).squeeze(-1)
            grad_b = None
            if ctx.needs_input_grad[3]:
                grad_b = torch.matmul((delta_c * u_c).unsqueeze(-2), grad_h)
            grad_u = delta_c * grad_bu
            grad_delta.addcmul_(u_c, grad_bu)

        def unchunk(x: Optional[Tensor]) -> Optional[Tensor]:
            # (T, nc, b, g, dg) -> (b, dim, L);
            # (T, nc, b, g, 1, n) -> (b, g, n, L)
            if x is None:
                return None
            return _from_chunks(x.flatten(-2), length)

        return (
            unchunk(grad_u),
            unchunk(grad_delta),
            grad_a,
            unchunk(grad_b),
            unchunk(grad_c),
            None,
        )


class _NoGradContext:
    """Stands in for autograd's ``ctx`` when nothing needs a backward."""

    def save_for_backward(self, *tensors: Tensor) -> None:
        pass

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        pass


def _as_groups(mat: Tensor, batch: int, length: int) -> Tensor:
    """B or C as (batch, groups, d_state, length)."""
    if mat.dim() == 2:  # time-invariant: one group per channel
        return mat[None, :, :, None].expand(batch, -1, -1, length)
    if mat.dim() == 3:
        return mat[:, None]
    return mat


def _chunked_core(
    scan: ScanArgs, u: Tensor, delta: Tensor, chunk_size: Optional[int]
) -> Tuple[Tensor, Tensor]:
    """The ``'chunked'`` backend's core: two-level scan, custom backward."""
    batch, dim, length = u.shape
    b_g = _as_groups(scan.B.float(), batch, length)
    c_g = _as_groups(scan.C.float(), batch, length)
    if b_g.shape[1] != c_g.shape[1]:  # different groupings: per channel
        b_g = b_g.repeat_interleave(dim // b_g.shape[1], dim=1)
        c_g = c_g.repeat_interleave(dim // c_g.shape[1], dim=1)
    args = (u, delta, scan.A.float(), b_g, c_g, chunk_size)
    if torch.jit.is_tracing() and not torch.is_grad_enabled():
        # A saved TorchScript cannot hold a Python autograd.Function;
        # without autograd its forward alone is the scan.
        return _ChunkedScan.forward(_NoGradContext(), *args)
    return _ChunkedScan.apply(*args)


def _scan_mamba_ssm(scan: ScanArgs) -> ScanOutput:
    """The ``'mamba_ssm'`` backend: the fused CUDA kernel."""
    kernel = SCAN_KERNEL.load()[0]
    dtype = scan.u.dtype

    # The kernel wants variable B/C, delta and z in u's dtype and the
    # weights (A, D, delta_bias, time-invariant B/C) in fp32.
    def cast(x: Optional[Tensor], weight: bool) -> Optional[Tensor]:
        if x is None:
            return None
        return x.float().contiguous() if weight else x.to(dtype)

    return kernel(
        scan.u,
        cast(scan.delta, False),
        cast(scan.A, True),
        cast(scan.B, scan.B.dim() == 2),
        cast(scan.C, scan.C.dim() == 2),
        D=cast(scan.D, True),
        z=cast(scan.z, False),
        delta_bias=cast(scan.delta_bias, True),
        delta_softplus=scan.delta_softplus,
        return_last_state=scan.return_last_state,
    )


def selective_scan(
    *args,
    backend: Optional[str] = None,
    chunk_size: Optional[int] = None,
    **kwargs,
) -> ScanOutput:
    """Selective scan with the semantics of ``selective_scan_ref``.

    Differentiable on every backend. The PyTorch backends compute in fp32
    even under bf16/fp16 autocast and return ``u``'s dtype. The last state
    carries no gradient on ``'chunked'`` and ``'mamba_ssm'`` (as in
    mamba-ssm). The scan's arguments ``u`` to ``return_last_state``
    (:class:`ScanArgs`) go by position or name, ``backend`` and
    ``chunk_size`` by name only.

    Args:
        u: Input, (batch, dim, length).
        delta: Step sizes before bias/softplus, (batch, dim, length).
        A: State matrix (diagonal per channel), (dim, d_state), real.
        B: Input matrix: (dim, d_state), (batch, d_state, length) or
            (batch, groups, d_state, length).
        C: Output matrix, same layouts as ``B``.
        D: Skip weight, (dim,).
        z: Gate, (batch, dim, length); the output is multiplied by silu(z).
        delta_bias: Added to ``delta`` before softplus, (dim,).
        delta_softplus: Apply softplus to ``delta``.
        return_last_state: Also return the final state (batch, dim, d_state).
        backend: ``'auto'``, ``'mamba_ssm'``, ``'chunked'`` or ``'ref'``;
            None reads ``MMVSSM_SCAN_BACKEND`` (default ``'auto'``).
        chunk_size: Steps per chunk for ``'chunked'``; None picks
            ~sqrt(length / 2).

    Returns:
        Tensor or tuple: Output (batch, dim, length) in ``u``'s dtype, and the
        last state when ``return_last_state``.
    """
    scan = bind_scan_args(args, kwargs)
    name = get_selective_scan_backend(scan.u.device, backend)
    if name == 'mamba_ssm':
        return _scan_mamba_ssm(scan)
    if name == 'ref':
        return _scan_frame(scan, _ref_core)
    return _scan_frame(scan, _chunked_core, chunk_size=chunk_size)
