# Copyright (c) mmvssm contributors. All rights reserved.
"""Selective-scan backends against the sequential reference."""

import pytest
import torch

from mmvssm.ops import (
    SCAN_BACKEND_ENV,
    clear_scan_workspace,
    get_selective_scan_backend,
    kernel_availability,
    selective_scan,
    selective_scan_ref,
)

# fp32 agreement asked by the issue: |a - b| <= 1e-5 (+ 1e-5 relative, for
# the gradients of A, B, C, which are sums over the sequence).
TOL = dict(atol=1e-5, rtol=1e-5)


def make_inputs(
    batch=2,
    dim=8,
    d_state=4,
    length=37,
    layout='shared',
    groups=2,
    device='cpu',
    seed=0,
):
    """Random scan inputs in Mamba's ranges, all requiring grad."""
    gen = torch.Generator().manual_seed(seed)

    def rand(*shape, scale=1.0):
        return (torch.randn(*shape, generator=gen) * scale).to(device)

    if layout == 'shared':  # (batch, d_state, length)
        bc_shape = (batch, d_state, length)
    elif layout == 'grouped':  # (batch, groups, d_state, length)
        bc_shape = (batch, groups, d_state, length)
    else:  # time-invariant (dim, d_state)
        bc_shape = (dim, d_state)
    inputs = dict(
        u=rand(batch, dim, length),
        delta=rand(batch, dim, length, scale=0.5),
        A=-torch.rand(dim, d_state, generator=gen).to(device) * 2 - 0.1,
        B=rand(*bc_shape),
        C=rand(*bc_shape),
        D=rand(dim),
        z=rand(batch, dim, length),
        delta_bias=rand(dim, scale=0.5),
    )
    for value in inputs.values():
        value.requires_grad_(True)
    return inputs


def run(inputs, backend, **kwargs):
    """Output, last state and gradients of a weighted sum of the output."""
    out, last = selective_scan(
        **inputs,
        delta_softplus=True,
        return_last_state=True,
        backend=backend,
        **kwargs,
    )
    weight = torch.linspace(-1, 1, out.numel(), device=out.device)
    grads = torch.autograd.grad(
        (out * weight.view_as(out)).sum(), list(inputs.values())
    )
    return out, last, dict(zip(inputs, grads))


def assert_same(res, ref, tol):
    torch.testing.assert_close(res[0], ref[0], **tol)
    torch.testing.assert_close(res[1], ref[1], **tol)
    for name in ref[2]:
        torch.testing.assert_close(
            res[2][name],
            ref[2][name],
            **tol,
            msg=lambda m, n=name: f'{n}: {m}',
        )


@pytest.mark.parametrize(
    'length,chunk_size',
    [
        (1, None),  # L = 1
        (7, 3),  # L not a multiple of the chunk
        (37, None),
        (37, 5),
        (64, 8),  # exact multiple
        (64, 1),  # one step per chunk
        (64, 64),  # one chunk
        (100, 200),  # chunk longer than the sequence
    ],
)
def test_chunked_matches_reference(length, chunk_size):
    inputs = make_inputs(length=length)
    ref = run(inputs, 'ref')
    res = run(inputs, 'chunked', chunk_size=chunk_size)
    assert_same(res, ref, TOL)


@pytest.mark.parametrize('layout', ['grouped', 'time_invariant'])
def test_chunked_matches_reference_bc_layouts(layout):
    inputs = make_inputs(length=29, layout=layout)
    assert_same(run(inputs, 'chunked'), run(inputs, 'ref'), TOL)


def test_chunked_matches_reference_long_sequence():
    # Long L: many chunks and steps per chunk (default chunk = 32 here).
    inputs = make_inputs(batch=1, dim=4, d_state=4, length=2000)
    assert_same(run(inputs, 'chunked'), run(inputs, 'ref'), TOL)


def test_optional_arguments_match_reference():
    # No D, z, delta_bias, softplus: only the bare recurrence.
    inputs = make_inputs(length=20)
    bare = {k: inputs[k] for k in ('u', 'delta', 'A', 'B', 'C')}
    torch.testing.assert_close(
        selective_scan(**bare, backend='chunked'),
        selective_scan(**bare, backend='ref'),
        **TOL,
    )


def test_reference_recurrence_by_hand():
    # One channel, one state: h_t = exp(d_t a) h_{t-1} + d_t b_t u_t.
    u = torch.tensor([[[1.0, 2.0, -1.0]]])
    delta = torch.tensor([[[0.5, 1.0, 2.0]]])
    A = torch.tensor([[-1.0]])
    B = torch.tensor([[[1.0, 0.5, 2.0]]])
    C = torch.tensor([[[2.0, 1.0, -1.0]]])
    h, expected = 0.0, []
    for t in range(3):
        h = torch.exp(delta[0, 0, t] * A[0, 0]) * h
        h = h + delta[0, 0, t] * B[0, 0, t] * u[0, 0, t]
        expected.append(C[0, 0, t] * h)
    expected = torch.stack(expected).view(1, 1, 3)
    for backend in ('ref', 'chunked'):
        out = selective_scan(u, delta, A, B, C, backend=backend, chunk_size=2)
        torch.testing.assert_close(out, expected)


def test_last_state_is_final_state():
    inputs = make_inputs(length=15)
    _, last = selective_scan(
        **inputs, return_last_state=True, backend='chunked'
    )
    assert last.shape == (2, 8, 4)
    _, last_ref = selective_scan_ref(**inputs, return_last_state=True)
    torch.testing.assert_close(last, last_ref, **TOL)
    assert not last.requires_grad  # no gradient through the last state


def test_fp32_accumulation_under_autocast_and_half_inputs():
    inputs = {k: v.detach() for k, v in make_inputs(length=33).items()}
    expected = selective_scan(**inputs, delta_softplus=True)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        auto = selective_scan(**inputs, delta_softplus=True)
    assert auto.dtype == torch.float32
    torch.testing.assert_close(auto, expected, atol=0, rtol=0)
    # bf16 inputs: computed in fp32 from the rounded inputs, cast back.
    low = {
        k: (v.bfloat16() if k in ('u', 'delta', 'B', 'C', 'z') else v)
        for k, v in inputs.items()
    }
    half = selective_scan(**low, delta_softplus=True, backend='chunked')
    assert half.dtype == torch.bfloat16
    ref = selective_scan_ref(**low, delta_softplus=True)
    # Equal up to one bf16 rounding step of fp32-level differences.
    torch.testing.assert_close(half.float(), ref.float(), atol=1e-5, rtol=8e-3)


def test_workspace_reuse_across_shapes():
    # Scratch buffers are reused across calls of different sizes; results
    # must not depend on what an earlier call left in them.
    clear_scan_workspace()
    big = {k: v.detach() for k, v in make_inputs(length=60).items()}
    small = {k: v.detach() for k, v in make_inputs(length=9, seed=1).items()}
    first = selective_scan(**small, backend='chunked')
    selective_scan(**big, backend='chunked')
    again = selective_scan(**small, backend='chunked')
    torch.testing.assert_close(first, again, atol=0, rtol=0)
    torch.testing.assert_close(first, selective_scan_ref(**small), **TOL)


def test_backend_selection(monkeypatch):
    monkeypatch.delenv(SCAN_BACKEND_ENV, raising=False)
    assert get_selective_scan_backend('cpu') == 'chunked'
    assert get_selective_scan_backend('cpu', 'ref') == 'ref'
    monkeypatch.setenv(SCAN_BACKEND_ENV, 'ref')
    assert get_selective_scan_backend('cpu') == 'ref'
    inputs = {k: v.detach() for k, v in make_inputs(length=5).items()}
    torch.testing.assert_close(
        selective_scan(**inputs), selective_scan_ref(**inputs), **TOL
    )
    # The argument wins over the environment.
    assert get_selective_scan_backend('cpu', 'chunked') == 'chunked'
    monkeypatch.setenv(SCAN_BACKEND_ENV, 'fast')
    with pytest.raises(ValueError, match=f'{SCAN_BACKEND_ENV}.*chunked'):
        selective_scan(**inputs)
    with pytest.raises(RuntimeError, match='needs CUDA tensors'):
        get_selective_scan_backend('cpu', 'mamba_ssm')


@pytest.mark.parametrize(
    'change,match',
    [
        (dict(u=torch.zeros(2, 8)), 'u must be'),
        (dict(delta=torch.zeros(2, 8, 5)), 'delta and z'),
        (dict(A=torch.zeros(3, 4)), 'A must be'),
        (dict(B=torch.zeros(2, 3, 4, 37)), 'B must be'),
        (dict(C=torch.zeros(2, 5, 37)), 'C must be'),
        (dict(D=torch.zeros(3)), 'D must be'),
        (dict(A=torch.zeros(8, 4, dtype=torch.cfloat)), 'complex A'),
    ],
)
def test_bad_inputs_raise_clear_errors(change, match):
    inputs = {k: v.detach() for k, v in make_inputs().items()}
    inputs.update(change)
    with pytest.raises(ValueError, match=match):
        selective_scan(**inputs)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.parametrize('layout', ['shared', 'grouped'])
@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
@pytest.mark.parametrize('backend', ['mamba_ssm', 'chunked'])
def test_cuda_backends_match_reference(backend, dtype, layout):
    info = kernel_availability('cuda')['selective_scan']
    if backend == 'mamba_ssm' and not info.available:
        pytest.skip(f'mamba-ssm kernel unavailable: {info.reason}')
    inputs = make_inputs(length=300, layout=layout, device='cuda')
    if dtype != torch.float32:
        for key in ('u', 'delta', 'B', 'C', 'z'):
            inputs[key] = inputs[key].detach().to(dtype).requires_grad_()
    ref = run(inputs, 'ref')
    res = run(inputs, backend)
    # bf16 results are rounded to bf16 (8 bits of mantissa) by both.
    tol = TOL if dtype == torch.float32 else dict(atol=1e-3, rtol=1.6e-2)
    assert_same(res, ref, tol)
    assert get_selective_scan_backend('cuda', backend) == backend
