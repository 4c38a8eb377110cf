# Copyright (c) mmvssm contributors. All rights reserved.
"""Causal depthwise conv1d."""

import pytest
import torch
import torch.nn.functional as F

from mmvssm.ops import (
    causal_conv1d,
    get_causal_conv1d_backend,
    kernel_availability,
)


def conv_by_hand(x, weight, bias):
    """y[t] = bias + sum_k weight[k] * x[t - (width - 1) + k], x[<0] = 0."""
    width = weight.shape[-1]
    out = torch.zeros_like(x) + bias[:, None]
    for t in range(x.shape[-1]):
        for k in range(width):
            src = t - (width - 1) + k
            if src >= 0:
                out[..., t] += weight[:, k] * x[..., src]
    return out


@pytest.mark.parametrize('width', [1, 2, 4])
@pytest.mark.parametrize('activation', [None, 'silu'])
def test_matches_definition(width, activation):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 5, 11, generator=gen)
    weight = torch.randn(5, width, generator=gen)
    bias = torch.randn(5, generator=gen)
    expected = conv_by_hand(x, weight, bias)
    if activation:
        expected = F.silu(expected)
    out = causal_conv1d(x, weight, bias, activation=activation)
    torch.testing.assert_close(out, expected)
    # nn.Conv1d's (dim, 1, width) weight layout is accepted too.
    out = causal_conv1d(x, weight[:, None], bias, activation=activation)
    torch.testing.assert_close(out, expected)


def test_causality():
    x = torch.randn(1, 3, 20)
    weight = torch.randn(3, 4)
    later = x.clone()
    later[..., 12:] = torch.randn(1, 3, 8)
    torch.testing.assert_close(
        causal_conv1d(x, weight)[..., :12],
        causal_conv1d(later, weight)[..., :12],
    )


def test_errors():
    x = torch.randn(2, 5, 11)
    with pytest.raises(ValueError, match='same dim'):
        causal_conv1d(x, torch.randn(4, 3))
    with pytest.raises(ValueError, match='activation'):
        causal_conv1d(x, torch.randn(5, 3), activation='gelu')
    assert get_causal_conv1d_backend(x.device) == 'torch'
    with pytest.raises(RuntimeError, match="'causal_conv1d'.*needs CUDA"):
        causal_conv1d(x, torch.randn(5, 3), backend='causal_conv1d')


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
def test_cuda_kernel_matches_torch(dtype):
    x = torch.randn(2, 64, 300, device='cuda', dtype=dtype)
    weight = torch.randn(64, 4, device='cuda', dtype=dtype)
    bias = torch.randn(64, device='cuda', dtype=dtype)
    info = kernel_availability('cuda')['causal_conv1d']
    if not info.available:
        pytest.skip(f'causal-conv1d kernel unavailable: {info.reason}')
    kernel = causal_conv1d(x, weight, bias, 'silu', backend='causal_conv1d')
    torch_out = causal_conv1d(x, weight, bias, 'silu', backend='torch')
    tol = None if dtype == torch.float32 else dict(atol=1e-2, rtol=1.6e-2)
    torch.testing.assert_close(kernel, torch_out, **(tol or {}))
