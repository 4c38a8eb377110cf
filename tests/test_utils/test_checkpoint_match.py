# Copyright (c) mmvssm contributors. All rights reserved.
"""Checkpoint matching on real loads (mmengine's load_checkpoint)."""

import logging

import pytest
import torch
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmengine.runner.checkpoint import load_checkpoint

from mmvssm.registry import MODELS
from mmvssm.utils.checkpoint_match import (
    CheckpointMismatchError,
    fix_checkpoint_matching,
)


@pytest.fixture(scope='module', autouse=True)
def checked_loading():
    fix_checkpoint_matching()


def recognizer():
    with DefaultScope.overwrite_default_scope('mmvssm'):
        return MODELS.build(
            dict(
                type='Recognizer3D',
                backbone=dict(
                    type='VideoMamba',
                    arch=dict(embed_dims=32, num_layers=2),
                    img_size=32,
                    patch_size=8,
                    num_frames=4,
                    tubelet_size=2,
                ),
                cls_head=dict(
                    type='TimeSformerHead', num_classes=8, in_channels=32
                ),
            )
        )


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append((record.levelno, record.getMessage()))


def load(model, path):
    logger = MMLogger.get_current_instance()
    handler = Records()
    logger.addHandler(handler)
    try:
        load_checkpoint(model, str(path), map_location='cpu')
    finally:
        logger.removeHandler(handler)
    return [line for line in handler.lines if 'tensors' in line[1]]


def test_checkpoint_of_another_model_is_an_error(tmp_path):
    import torchvision

    path = tmp_path / 'resnet18.pth'
    torch.save(torchvision.models.resnet18().state_dict(), path)
    with pytest.raises(CheckpointMismatchError) as info:
        load(recognizer(), path)
    message = str(info.value)
    assert str(path) in message and 'matches none' in message
    assert 'bn1.bias' in message and 'backbone.' in message
    assert len(message.splitlines()) == 1


def test_missing_backbone_tensor_is_listed(tmp_path):
    state = recognizer().state_dict()
    key = next(k for k in state if k.startswith('backbone.layers.1.'))
    del state[key]
    torch.save(state, tmp_path / 'partial.pth')
    ((level, line),) = load(recognizer(), tmp_path / 'partial.pth')
    assert level == logging.WARNING
    assert '1 backbone tensors were not loaded' in line and key in line


def test_other_head_is_only_noted(tmp_path):
    state = {
        k: v for k, v in recognizer().state_dict().items() if 'head' not in k
    }
    torch.save(state, tmp_path / 'nohead.pth')
    ((level, line),) = load(recognizer(), tmp_path / 'nohead.pth')
    assert level == logging.INFO and 'cls_head.fc_cls' in line


def test_wrong_shape_counts_as_not_loaded(tmp_path):
    state = recognizer().state_dict()
    key = 'backbone.norm_f.weight'
    state[key] = torch.ones(16)
    torch.save(state, tmp_path / 'shape.pth')
    ((level, line),) = load(recognizer(), tmp_path / 'shape.pth')
    assert level == logging.WARNING and key in line


def test_complete_checkpoint_says_nothing(tmp_path):
    model = recognizer()
    torch.save(model.state_dict(), tmp_path / 'same.pth')
    # Same values as the model already has (e.g. frozen weights on resume).
    assert load(model, tmp_path / 'same.pth') == []
    assert load(recognizer(), tmp_path / 'same.pth') == []
