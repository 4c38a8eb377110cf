# Copyright (c) mmvssm contributors. All rights reserved.
import torch
from torch import nn

from mmvssm.models.utils import (
    exclude_frozen_from_checkpoint,
    freeze_foundation,
    log_parameter_summary,
    parameter_summary,
)


class _Foundation(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = nn.Sequential(
            nn.Linear(8, 8), nn.Dropout(0.5), nn.BatchNorm1d(8)
        )
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        return self.head(self.block(x))


class _Adapted(nn.Module):
    """A frozen foundation with a trainable adapter inside (MoMa-style)."""

    def __init__(self):
        super().__init__()
        self.foundation = _Foundation()
        self.adapter = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5))

    def forward(self, x):
        h = self.foundation.block(x)
        return self.foundation.head(h + self.adapter(h))


def test_freeze_turns_gradients_off_and_keeps_eval_on_train():
    model = freeze_foundation(_Foundation())
    assert not any(p.requires_grad for p in model.parameters())
    model.train()
    assert not any(m.training for m in model.modules())
    x = torch.randn(6, 8)
    stats = model.block[2].running_mean.clone()
    # Dropout off and BatchNorm statistics untouched in train mode.
    out1, out2 = model(x), model(x)
    torch.testing.assert_close(out1, out2)
    torch.testing.assert_close(model.block[2].running_mean, stats)
    model.eval()
    torch.testing.assert_close(model(x), out1)


def test_adapters_inside_a_frozen_foundation_train():
    model = _Adapted()
    freeze_foundation(model, trainable=('adapter',))
    model.train()
    assert model.training and model.adapter.training
    assert model.adapter[1].training
    assert not model.foundation.training
    assert not model.foundation.block[1].training
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable == ['adapter.0.weight', 'adapter.0.bias']
    model(torch.randn(4, 8)).sum().backward()
    assert model.adapter[0].weight.grad is not None
    assert model.foundation.head.weight.grad is None


def test_adapter_added_after_freezing_trains():
    foundation = freeze_foundation(_Foundation())
    foundation.extra = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.1))
    foundation.train()
    assert foundation.extra.training and foundation.extra[1].training
    assert not foundation.block.training and not foundation.head.training


def test_parameter_summary_is_logged(tmp_path):
    from mmengine.logging import MMLogger

    model = _Adapted()
    freeze_foundation(model, trainable='adapter')
    counts = parameter_summary(model)
    assert counts == dict(trainable=72, frozen=72 + 16 + 36, total=196)
    log_file = tmp_path / 'log.txt'
    MMLogger.get_instance('test_parameter_summary', log_file=str(log_file))
    log_parameter_summary(model, 'adapted')
    text = log_file.read_text()
    assert 'adapted: 0.000M trainable (36.73%)' in text
    assert '0.000M frozen, 0.000M parameters' in text


def test_exclude_frozen_from_checkpoint_round_trip():
    from mmengine.runner.checkpoint import get_state_dict, load_state_dict

    torch.manual_seed(0)
    model = _Adapted()
    freeze_foundation(model, trainable='adapter')
    exclude_frozen_from_checkpoint(model)
    saved = model.state_dict()
    # Buffers stay (small); frozen parameters go.
    assert not any(k.endswith('weight') and 'foundation' in k for k in saved)
    assert 'adapter.0.weight' in saved
    assert set(get_state_dict(model)) == set(saved)

    torch.manual_seed(0)
    fresh = _Adapted()  # same frozen values, as if loaded at build
    freeze_foundation(fresh, trainable='adapter')
    exclude_frozen_from_checkpoint(fresh)
    with torch.no_grad():
        fresh.adapter[0].weight.zero_()
    result = fresh.load_state_dict(saved, strict=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    torch.testing.assert_close(
        fresh.adapter[0].weight, model.adapter[0].weight
    )
    # mmengine's loader (used by the runner) reports nothing missing either.
    with torch.no_grad():
        fresh.adapter[0].weight.zero_()
    load_state_dict(fresh, saved, strict=True)
    torch.testing.assert_close(
        fresh.adapter[0].weight, model.adapter[0].weight
    )
