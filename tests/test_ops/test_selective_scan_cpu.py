# Copyright (c) mmvssm contributors. All rights reserved.
"""The fused CPU selective scan against the sequential reference."""

import pytest
import torch
from test_selective_scan import TOL, assert_same, make_inputs

from mmvssm.ops import selective_scan, selective_scan_cpu, selective_scan_ref
from mmvssm.ops.selective_scan_cpu import (
    fused_scan_available,
    selective_scan_fused,
)


@pytest.fixture(scope='module', autouse=True)
def fused():
    """Compile the kernel once (about a minute the first time per user)."""
    ok, reason = fused_scan_available()
    if not ok:
        pytest.skip(f'fused CPU scan unavailable: {reason}')


def run(inputs, fn, softplus=True, **kwargs):
    """Output, last state and gradients of a weighted sum of the output."""
    out, last = fn(
        **inputs,
        delta_softplus=softplus,
        return_last_state=True,
        **kwargs,
    )
    weight = torch.linspace(-1, 1, out.numel()).view_as(out)
    grads = torch.autograd.grad((out * weight).sum(), list(inputs.values()))
    return out, last, dict(zip(inputs, grads))


@pytest.mark.parametrize('layout', ['shared', 'grouped', 'time_invariant'])
@pytest.mark.parametrize(
    'length,chunk_size',
    [
        (1, None),  # L = 1
        (7, 3),  # L not a multiple of the chunk
        (37, None),  # one chunk shorter than the default
        (37, 5),
        (64, 8),  # exact multiple
        (64, 1),  # a stored state at every step
        (100, 200),  # chunk longer than the sequence
    ],
)
def test_fused_matches_reference(length, chunk_size, layout):
    inputs = make_inputs(length=length, layout=layout)
    ref = run(inputs, selective_scan_ref)
    res = run(inputs, selective_scan_fused, chunk_size=chunk_size)
    assert_same(res, ref, TOL)


@pytest.mark.parametrize('layout', ['shared', 'grouped', 'time_invariant'])
def test_fused_matches_reference_long_sequence(layout):
    # Many recompute chunks (2000 / 64) and a d_state of two SIMD vectors
    # plus padding (20 states).
    inputs = make_inputs(
        batch=1, dim=4, d_state=20, length=2000, layout=layout, groups=4
    )
    assert_same(
        run(inputs, selective_scan_fused), run(inputs, selective_scan_ref), TOL
    )


@pytest.mark.parametrize('d_state', [1, 8, 16, 32, 40])
def test_fused_state_sizes(d_state):
    # Kernels specialised for 1, 2 and 4 SIMD vectors and the generic one.
    inputs = make_inputs(d_state=d_state, length=23, layout='grouped')
    assert_same(
        run(inputs, selective_scan_fused), run(inputs, selective_scan_ref), TOL
    )


@pytest.mark.parametrize(
    'b_layout,c_layout',
    [
        ('grouped', 'shared'),
        ('time_invariant', 'grouped'),
        ('shared', 'time_invariant'),
    ],
)
def test_fused_mixed_layouts(b_layout, c_layout):
    # B and C with different layouts (the kernel regroups them).
    inputs = make_inputs(length=19, layout=b_layout, groups=4, dim=8)
    other = make_inputs(length=19, layout=c_layout, groups=2, dim=8, seed=1)
    inputs['C'] = other['C']
    assert_same(
        run(inputs, selective_scan_fused), run(inputs, selective_scan_ref), TOL
    )


@pytest.mark.parametrize('optional', [(), ('D',), ('z',), ('delta_bias',)])
@pytest.mark.parametrize('softplus', [False, True])
def test_fused_optional_arguments(optional, softplus):
    inputs = make_inputs(length=30)
    for name in ('D', 'z', 'delta_bias'):
        if name not in optional:
            inputs.pop(name)
    if not softplus:
        # Positive steps, as Mamba passes them; negative ones make the
        # recurrence grow without bound (values ~1e30, no meaningful 1e-5).
        for name in ('delta', 'delta_bias'):
            if name in inputs:
                inputs[name] = inputs[name].detach().abs().requires_grad_()
    assert_same(
        run(inputs, selective_scan_fused, softplus),
        run(inputs, selective_scan_ref, softplus),
        TOL,
    )


def test_fused_plain_output_and_last_state():
    inputs = {k: v.detach() for k, v in make_inputs(length=15).items()}
    out = selective_scan_fused(**inputs)
    torch.testing.assert_close(out, selective_scan_ref(**inputs), **TOL)
    _, last = selective_scan_fused(**inputs, return_last_state=True)
    _, last_ref = selective_scan_ref(**inputs, return_last_state=True)
    assert last.shape == (2, 8, 4)
    torch.testing.assert_close(last, last_ref, **TOL)
    inputs['u'].requires_grad_(True)
    _, last = selective_scan_fused(**inputs, return_last_state=True)
    assert not last.requires_grad  # no gradient through the last state


def test_fused_bf16_inputs_accumulate_in_fp32():
    inputs = make_inputs(length=33, layout='grouped')
    low = {
        k: (
            v.detach().bfloat16().requires_grad_()
            if k in ('u', 'delta', 'B', 'C', 'z')
            else v
        )
        for k, v in inputs.items()
    }
    res = run(low, selective_scan_fused)
    ref = run(low, selective_scan_ref)
    assert res[0].dtype == torch.bfloat16
    assert res[2]['u'].dtype == torch.bfloat16
    # Both compute in fp32 from the same bf16 inputs; results differ by at
    # most one bf16 rounding of fp32-level differences.
    assert_same(res, ref, dict(atol=1e-5, rtol=8e-3))
    # fp32 accumulation: the same as the fp32 scan of the rounded inputs.
    up = {k: v.detach().float() for k, v in low.items()}
    torch.testing.assert_close(
        res[0].float(),
        selective_scan_ref(**up, delta_softplus=True),
        atol=1e-5,
        rtol=8e-3,
    )
    with torch.autocast('cpu', dtype=torch.bfloat16):
        auto = selective_scan_fused(**up, delta_softplus=True)
    assert auto.dtype == torch.float32
    torch.testing.assert_close(
        auto, selective_scan_ref(**up, delta_softplus=True), **TOL
    )


def test_fused_agrees_with_chunked_on_a_bimamba_shape():
    # Both directions of a BiMamba block as one grouped scan, all threads.
    inputs = make_inputs(
        batch=2, dim=64, d_state=16, length=197, layout='grouped', groups=2
    )
    res = run(inputs, selective_scan_fused)
    chunked = run(inputs, lambda **kw: selective_scan(**kw, backend='chunked'))
    assert_same(res, chunked, dict(atol=1e-4, rtol=1e-4))


def test_fused_same_result_with_one_thread():
    # Channel splits of the backward depend on the thread count; the result
    # may differ only by the order of the partial sums.
    inputs = make_inputs(batch=1, dim=16, length=50, layout='shared')
    many = run(inputs, selective_scan_fused)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        one = run(inputs, selective_scan_fused)
    finally:
        torch.set_num_threads(threads)
    assert_same(one, many, TOL)


def test_fused_bad_inputs_raise_clear_errors():
    inputs = {k: v.detach() for k, v in make_inputs().items()}
    with pytest.raises(ValueError, match='B must be'):
        selective_scan_fused(**{**inputs, 'B': torch.zeros(2, 3, 4, 37)})
    with pytest.raises(ValueError, match='chunk_size must be >= 1'):
        selective_scan_fused(**inputs, chunk_size=0)
    big = make_inputs(d_state=300, length=3)
    with pytest.raises(ValueError, match="d_state <= 256.*'chunked'"):
        selective_scan_fused(**big)


def test_unavailable_compiler_gives_a_reason(monkeypatch):
    # No compiler: a one-line reason, no exception; the real build comes back
    # once the cache is cleared again.
    selective_scan_cpu._extension.cache_clear()
    try:
        with monkeypatch.context() as patch:
            patch.setenv('CXX', 'no-such-compiler-mmvssm')
            ok, reason = fused_scan_available()
            inputs = {k: v.detach() for k, v in make_inputs(length=4).items()}
            with pytest.raises(RuntimeError, match="unavailable.*'chunked'"):
                selective_scan_fused(**inputs)
        assert not ok
        assert 'no-such-compiler-mmvssm' in reason and '\n' not in reason
    finally:
        selective_scan_cpu._extension.cache_clear()
    assert fused_scan_available() == (True, '')
