# Copyright (c) mmvssm contributors. All rights reserved.
"""SeqMod: zero init is the identity; the fusions compute what they say."""

import pytest
import torch

from mmvssm.models.layers import SeqMod, seqmod


def _randomise_out_proj(mod: SeqMod) -> None:
    with torch.no_grad():
        mod.ssm.out_proj.weight.normal_(0, 0.2)


def test_zero_init_is_identity_and_survives_init_weights():
    torch.manual_seed(0)
    mod = SeqMod(32)
    mod.init_weights()
    x = torch.randn(2, 20, 32)
    assert torch.equal(mod(x), x)
    assert mod.ssm.d_inner == 16 and not mod.ssm.gated
    assert mod.ssm.out_proj.out_features == 64


def test_seqmod_splits_the_doubled_output_into_scale_and_shift():
    torch.manual_seed(0)
    mod = SeqMod(32)
    _randomise_out_proj(mod)
    x = torch.randn(2, 20, 32)
    y = mod.ssm(mod.norm(x))
    y1, y2 = y[..., :32], y[..., 32:]
    out = mod(x)
    torch.testing.assert_close(out, x * (1 + y1) + y2)
    torch.testing.assert_close(seqmod(x, y1, y2), out)
    assert not torch.allclose(out, x)


def test_raw_adan_broadcasts_sequence_mean_and_add_adds():
    torch.manual_seed(0)
    x = torch.randn(2, 20, 32)
    adan = SeqMod(32, fusion='raw_adan')
    _randomise_out_proj(adan)
    y = adan.ssm(adan.norm(x)).mean(1, keepdim=True)
    torch.testing.assert_close(adan(x), x * (1 + y[..., :32]) + y[..., 32:])
    add = SeqMod(32, fusion='add')
    assert add.ssm.out_proj.out_features == 32
    assert torch.equal(add(x), x)
    _randomise_out_proj(add)
    torch.testing.assert_close(add(x), x + add.ssm(add.norm(x)))


def test_bad_fusion_is_refused():
    with pytest.raises(ValueError, match='fusion must be one of'):
        SeqMod(32, fusion='max')
