# Copyright (c) mmvssm contributors. All rights reserved.
"""The default CPU scan under torch.jit.trace and torch.export."""

import importlib

import pytest
import torch

from mmvssm.ops import selective_scan

scan_module = importlib.import_module('mmvssm.ops.selective_scan')


class TwoScans(torch.nn.Module):
    """Two chunked scans in a row, as in a stack of Mamba blocks."""

    def __init__(self, dim: int = 8, d_state: int = 4) -> None:
        super().__init__()
        self.A_log = torch.nn.Parameter(torch.rand(dim, d_state))
        self.D = torch.nn.Parameter(torch.randn(dim))

    def forward(self, u, delta, B, C):
        A = -torch.exp(self.A_log)
        kw = dict(delta_softplus=True, backend='chunked')
        y = selective_scan(u, delta, A, B, C, self.D, **kw)
        return selective_scan(y, delta, A, B, C, self.D, **kw)

    def reference(self, u, delta, B, C):
        A = -torch.exp(self.A_log)
        ref = scan_module.selective_scan_ref
        y = ref(u, delta, A, B, C, self.D, delta_softplus=True)
        return ref(y, delta, A, B, C, self.D, delta_softplus=True)


def _inputs(batch=2, dim=8, d_state=4, length=37, seed=0):
    gen = torch.Generator().manual_seed(seed)
    u, delta = torch.randn(2, batch, dim, length, generator=gen)
    B, C = torch.randn(2, batch, 2, d_state, length, generator=gen)
    return u, delta, B, C


@pytest.fixture
def module():
    torch.manual_seed(0)
    return TwoScans().eval()


def test_jit_trace_saves_and_matches_the_reference(module, tmp_path):
    module(*_inputs())  # eager first: its scratch buffers exist
    with torch.no_grad():
        traced = torch.jit.trace(module, _inputs())
    traced.save(str(tmp_path / 'scan.pt'))
    loaded = torch.jit.load(str(tmp_path / 'scan.pt'))
    other = _inputs(seed=1)  # new values, same shapes
    with torch.no_grad():
        got = loaded(*other)
        expected = module.reference(*other)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    # Eager training still runs the custom backward afterwards.
    u, delta, B, C = _inputs()
    u.requires_grad_()
    module(u, delta, B, C).sum().backward()
    assert u.grad is not None and torch.isfinite(u.grad).all()


def test_torch_export_matches_the_reference(module):
    program = torch.export.export(module, _inputs()).run_decompositions()
    other = _inputs(seed=2)
    got = program.module()(*other)
    with torch.no_grad():
        expected = module.reference(*other)
    torch.testing.assert_close(got.detach(), expected, atol=1e-5, rtol=1e-5)
