# Copyright (c) mmvssm contributors. All rights reserved.
"""Bidirectional Mamba mixer."""

import pytest
import torch
import torch.nn.functional as F

from mmvssm.models.layers import BiMamba
from mmvssm.ops import selective_scan_ref
from mmvssm.registry import MODELS

TOL = dict(atol=1e-5, rtol=1e-5)

# VideoMamba-Ti mixer: keys in state_dict order and shapes (paper notes 1.8).
TINY_KEYS = [
    ('A_log', (384, 16)),
    ('D', (384,)),
    ('A_b_log', (384, 16)),
    ('D_b', (384,)),
    ('in_proj.weight', (768, 192)),
    ('conv1d.weight', (384, 1, 4)),
    ('conv1d.bias', (384,)),
    ('x_proj.weight', (44, 384)),
    ('dt_proj.weight', (384, 12)),
    ('dt_proj.bias', (384,)),
    ('conv1d_b.weight', (384, 1, 4)),
    ('conv1d_b.bias', (384,)),
    ('x_proj_b.weight', (44, 384)),
    ('dt_proj_b.weight', (384, 12)),
    ('dt_proj_b.bias', (384,)),
    ('out_proj.weight', (192, 384)),
]
BACKWARD_PARAMS = [
    'conv1d_b.weight',
    'conv1d_b.bias',
    'x_proj_b.weight',
    'dt_proj_b.weight',
    'dt_proj_b.bias',
    'A_b_log',
    'D_b',
]


def make_layer(seed=0, **kwargs):
    """A small layer whose parameters are all away from their init."""
    torch.manual_seed(seed)
    layer = BiMamba(16, d_state=4, **kwargs)
    with torch.no_grad():
        for name, param in layer.named_parameters():
            if name.startswith(('A', 'D')):  # keep A < 0
                param.add_(0.3 * torch.rand_like(param))
            else:
                param.add_(0.1 * torch.randn_like(param))
    return layer


def one_direction(layer, x, z, suffix, act):
    """One scan of the official fast path (gate inside the scan)."""
    conv = getattr(layer, f'conv1d{suffix}')
    x_proj = getattr(layer, f'x_proj{suffix}')
    dt_proj = getattr(layer, f'dt_proj{suffix}')
    a_log = getattr(layer, f'A{suffix}_log')
    d_skip = getattr(layer, f'D{suffix}')
    length = x.shape[-1]
    xc = act(conv(x)[..., :length])  # nn.Conv1d pads both ends
    x_dbl = F.linear(xc.transpose(1, 2), x_proj.weight)
    dt, b_mat, c_mat = x_dbl.split([layer.dt_rank, 4, 4], dim=-1)
    delta = F.linear(dt, dt_proj.weight).transpose(1, 2)
    return selective_scan_ref(
        xc,
        delta,
        -torch.exp(a_log.float()),
        b_mat.transpose(1, 2),
        c_mat.transpose(1, 2),
        d_skip.float(),
        z=z if act is F.silu else None,
        delta_bias=dt_proj.bias.float(),
        delta_softplus=True,
    )


def reference_forward(layer, hidden, act=F.silu, gated=True, bimamba=True):
    """VideoMamba's bimamba v2 written per direction, as the fork runs it."""
    xz = layer.in_proj(hidden).transpose(1, 2)
    x, z = (xz.chunk(2, dim=1)) if gated else (xz, None)
    out = one_direction(layer, x, z, '', act)
    if bimamba:
        z_b = None if z is None else z.flip(-1)
        out = out + one_direction(layer, x.flip(-1), z_b, '_b', act).flip(-1)
    if gated and act is not F.silu:  # the scan gates with silu only
        out = out * act(z)
    return layer.out_proj(out.transpose(1, 2))


def test_videomamba_tiny_state_dict():
    layer = BiMamba(192)
    assert [(k, tuple(v.shape)) for k, v in layer.state_dict().items()] == (
        TINY_KEYS
    )
    for name in ('A_log', 'D', 'A_b_log', 'D_b'):
        assert getattr(layer, name)._no_weight_decay is True
    assert not hasattr(layer.in_proj.weight, '_no_weight_decay')
    assert MODELS.build(dict(type='BiMamba', d_model=192)).dt_rank == 12


def test_mamba_init():
    layer = BiMamba(32, dt_min=0.01, dt_max=0.05)
    expected_a = torch.log(torch.arange(1, 17).float()).expand(64, 16)
    for suffix in ('', '_b'):
        torch.testing.assert_close(
            getattr(layer, f'A{suffix}_log'), expected_a
        )
        torch.testing.assert_close(
            getattr(layer, f'D{suffix}'), torch.ones(64)
        )
        dt = F.softplus(getattr(layer, f'dt_proj{suffix}').bias)
        assert dt.min() >= 0.01 * (1 - 1e-4) and dt.max() <= 0.05 * (1 + 1e-4)
        bound = layer.dt_rank**-0.5
        assert getattr(layer, f'dt_proj{suffix}').weight.abs().max() <= bound
    # The two directions start from independent random draws.
    assert not torch.equal(layer.dt_proj.bias, layer.dt_proj_b.bias)


@pytest.mark.parametrize(
    'kwargs,act,gated,bimamba',
    [
        (dict(), F.silu, True, True),
        (dict(bimamba=False), F.silu, True, False),
        (dict(act_cfg=dict(type='GELU'), gated=False), F.gelu, False, True),
        (dict(act_cfg=dict(type='GELU')), F.gelu, True, True),
    ],
)
def test_matches_per_direction_reference(kwargs, act, gated, bimamba):
    layer = make_layer(**kwargs)
    hidden = torch.randn(2, 23, 16, requires_grad=True)
    out = layer(hidden)
    expected = reference_forward(layer, hidden, act, gated, bimamba)
    torch.testing.assert_close(out, expected, **TOL)
    params = [hidden, *layer.parameters()]
    grads = torch.autograd.grad(out.square().sum(), params)
    expected_grads = torch.autograd.grad(expected.square().sum(), params)
    for grad, expected_grad in zip(grads, expected_grads):
        torch.testing.assert_close(grad, expected_grad, **TOL)


@pytest.mark.parametrize('name', BACKWARD_PARAMS)
def test_backward_scan_uses_b_parameters(name):
    layer = make_layer()
    hidden = torch.randn(2, 12, 16)
    before = layer(hidden)
    with torch.no_grad():
        layer.get_parameter(name).add_(0.5)
    assert (layer(hidden) - before).abs().max() > 1e-4


def test_unidirectional_has_no_b_parameters():
    names = dict(BiMamba(16, bimamba=False).named_parameters())
    assert not set(BACKWARD_PARAMS) & set(names)
    assert 'conv1d.weight' in names


def test_output_width_and_no_gate():
    layer = BiMamba(16, expand=0.5, out_dim=32, gated=False)
    assert layer.in_proj.weight.shape == (8, 16)
    assert layer.out_proj.weight.shape == (32, 8)
    assert layer(torch.randn(3, 7, 16)).shape == (3, 7, 32)


def test_extra_order_is_a_permuted_scan():
    # With the extra order's parameters equal to order 0's, the layer is the
    # plain layer on the tokens plus the plain layer on the permuted tokens,
    # mapped back: M(x, [p]) = P(x) + P(x[:, p])[:, argsort(p)].
    multi = make_layer(num_extra_orders=1)
    plain = BiMamba(16, d_state=4)
    plain.load_state_dict(
        {k: v for k, v in multi.state_dict().items() if '_o1' not in k}
    )
    with torch.no_grad():
        for name, param in multi.named_parameters():
            if '_o1' in name:
                param.copy_(plain.get_parameter(name.replace('_o1', '')))
    hidden = torch.randn(2, 19, 16)
    perm = torch.randperm(19, generator=torch.Generator().manual_seed(0))
    expected = plain(hidden) + plain(hidden[:, perm])[:, torch.argsort(perm)]
    torch.testing.assert_close(multi(hidden, [perm]), expected, **TOL)
    assert {'A_o1_log', 'D_o1', 'A_o1_b_log', 'D_o1_b'} <= set(
        multi.state_dict()
    )


def test_bf16_autocast_close_to_fp32():
    layer = make_layer()
    hidden = torch.randn(2, 30, 16)
    expected = layer(hidden)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = layer(hidden)
    assert out.dtype == torch.bfloat16
    scale = expected.abs().max()
    assert (out.float() - expected).abs().max() <= 0.05 * scale


@pytest.mark.parametrize(
    'call,match',
    [
        (lambda m: m(torch.randn(2, 5, 8)), r'\(batch, length, 16\)'),
        (lambda m: m(torch.randn(5, 16)), r'\(batch, length, 16\)'),
        (lambda m: m(torch.randn(1, 5, 16), [torch.arange(5)]), 'exactly'),
    ],
)
def test_input_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call(BiMamba(16, d_state=4))


def test_extra_order_errors_and_bad_config():
    layer = BiMamba(16, d_state=4, num_extra_orders=1)
    with pytest.raises(ValueError, match='LongTensor permutation'):
        layer(torch.randn(1, 5, 16), [torch.arange(4)])
    with pytest.raises(ValueError, match='dt_init'):
        BiMamba(16, dt_init='xavier')
    with pytest.raises(ValueError, match='>= 1'):
        BiMamba(16, expand=0.01)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_cuda_kernels_match_torch_path():
    layer = make_layer().cuda()
    hidden = torch.randn(2, 200, 16, device='cuda')
    auto = layer(hidden)  # mamba-ssm / causal-conv1d when installed
    layer.scan_backend = 'chunked'
    torch.testing.assert_close(auto, layer(hidden), atol=1e-4, rtol=1e-4)
