# Copyright (c) mmvssm contributors. All rights reserved.
"""Residual add fused with RMSNorm."""

import pytest
import torch
from torch import nn

from mmvssm.ops import add_rms_norm


def rms_by_hand(r, weight, eps):
    return r * torch.rsqrt(r.pow(2).mean(-1, keepdim=True) + eps) * weight


def make_norm(dim=8, eps=1e-5):
    norm = nn.RMSNorm(dim, eps=eps)
    with torch.no_grad():
        norm.weight.copy_(torch.linspace(0.5, 1.5, dim))
    return norm


def test_first_block_and_later_blocks():
    norm = make_norm()
    x = torch.randn(2, 3, 8)
    normed, residual = add_rms_norm(x, None, norm)
    torch.testing.assert_close(residual, x)
    torch.testing.assert_close(normed, rms_by_hand(x, norm.weight, 1e-5))
    x2 = torch.randn(2, 3, 8)
    normed2, residual2 = add_rms_norm(x2, residual, norm)
    torch.testing.assert_close(residual2, x + x2)
    torch.testing.assert_close(normed2, rms_by_hand(x + x2, norm.weight, 1e-5))


def test_fp32_residual_with_bf16_branch():
    norm = make_norm()
    x = torch.randn(2, 3, 8).bfloat16()
    residual = torch.randn(2, 3, 8)
    normed, new_residual = add_rms_norm(x, residual, norm)
    assert new_residual.dtype == torch.float32
    assert normed.dtype == torch.bfloat16
    expected_residual = residual + x.float()
    torch.testing.assert_close(new_residual, expected_residual)
    # Normalised in fp32, rounded once to bf16.
    expected = rms_by_hand(expected_residual, norm.weight, 1e-5)
    torch.testing.assert_close(normed, expected.bfloat16())
    # Without residual_in_fp32 the first residual keeps x's dtype.
    _, first = add_rms_norm(x, None, norm, residual_in_fp32=False)
    assert first.dtype == torch.bfloat16


def test_gradients_reach_inputs_and_weight():
    norm = make_norm()
    x = torch.randn(2, 3, 8, requires_grad=True)
    residual = torch.randn(2, 3, 8, requires_grad=True)
    normed, new_residual = add_rms_norm(x, residual, norm)
    (normed.sum() + new_residual.sum()).backward()
    for grad in (x.grad, residual.grad, norm.weight.grad):
        assert grad is not None and grad.abs().sum() > 0


def test_rejects_other_norms():
    with pytest.raises(TypeError, match='torch.nn.RMSNorm'):
        add_rms_norm(torch.randn(2, 8), None, nn.LayerNorm(8))


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_matches_torch_formula():
    norm = make_norm(64).cuda()
    x = torch.randn(4, 10, 64, device='cuda').bfloat16()
    residual = torch.randn(4, 10, 64, device='cuda')
    normed, new_residual = add_rms_norm(x, residual, norm)
    expected_residual = residual + x.float()
    torch.testing.assert_close(new_residual, expected_residual)
    expected = rms_by_hand(expected_residual, norm.weight, 1e-5)
    torch.testing.assert_close(
        normed.float(), expected, atol=1e-2, rtol=1.6e-2
    )
