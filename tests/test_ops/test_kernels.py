# Copyright (c) mmvssm contributors. All rights reserved.
"""One backend convention for the three ops with optional kernels."""

import pytest
import torch
from torch import nn

from mmvssm.ops import (
    CONV_BACKEND_ENV,
    NORM_BACKEND_ENV,
    SCAN_BACKEND_ENV,
    add_rms_norm,
    causal_conv1d,
    get_add_rms_norm_backend,
    get_causal_conv1d_backend,
    get_selective_scan_backend,
    kernel_availability,
)

RESOLVERS = {
    'selective_scan': (get_selective_scan_backend, SCAN_BACKEND_ENV),
    'causal_conv1d': (get_causal_conv1d_backend, CONV_BACKEND_ENV),
    'add_rms_norm': (get_add_rms_norm_backend, NORM_BACKEND_ENV),
}


def test_availability_names_every_op_and_why_not_on_cpu():
    infos = kernel_availability('cpu')
    assert set(infos) == set(RESOLVERS)
    for op, info in infos.items():
        assert not info.available
        assert 'needs CUDA tensors' in info.reason
        assert info.env == RESOLVERS[op][1]
        resolve = RESOLVERS[op][0]
        assert info.auto == resolve('cpu') != info.kernel


@pytest.mark.skipif(torch.cuda.is_available(), reason='CPU-only check')
def test_availability_on_a_machine_without_cuda():
    for info in kernel_availability('cuda').values():
        assert info.reason == 'no CUDA device is visible'
    assert kernel_availability() == kernel_availability('cuda')


@pytest.mark.parametrize('op', sorted(RESOLVERS))
def test_same_guard_for_every_op(op, monkeypatch):
    resolve, env = RESOLVERS[op]
    info = kernel_availability('cpu')[op]
    monkeypatch.delenv(env, raising=False)
    # The environment variable picks a backend; the argument wins over it.
    monkeypatch.setenv(env, info.auto)
    assert resolve('cpu') == info.auto
    monkeypatch.setenv(env, 'no-such-backend')
    with pytest.raises(ValueError, match=f'{env}.*auto'):
        resolve('cpu')
    assert resolve('cpu', 'auto') == info.auto
    # Naming the kernel requires it, with a one-line reason.
    with pytest.raises(RuntimeError, match='cannot run here') as err:
        resolve('cpu', info.kernel)
    assert '\n' not in str(err.value)


def test_ops_read_their_environment_variable(monkeypatch):
    x = torch.randn(2, 4, 9)
    monkeypatch.setenv(CONV_BACKEND_ENV, 'fast')
    with pytest.raises(ValueError, match=CONV_BACKEND_ENV):
        causal_conv1d(x, torch.randn(4, 3))
    monkeypatch.setenv(NORM_BACKEND_ENV, 'triton')
    with pytest.raises(RuntimeError, match=NORM_BACKEND_ENV):
        add_rms_norm(x, None, nn.RMSNorm(9))
    monkeypatch.setenv(NORM_BACKEND_ENV, 'torch')
    normed, _ = add_rms_norm(x, None, nn.RMSNorm(9))
    assert normed.shape == x.shape


def test_unsupported_inputs_fall_back_under_auto():
    # Width 5 and float64 are not built into the conv kernel.
    assert (
        get_causal_conv1d_backend('cpu', 'auto', torch.float64, 5) == 'torch'
    )
    norm = nn.RMSNorm(8, elementwise_affine=False)
    assert get_add_rms_norm_backend('cpu', 'auto', norm) == 'torch'
