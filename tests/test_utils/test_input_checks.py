# Copyright (c) mmvssm contributors. All rights reserved.
"""Clip length vs tubelet and frame size vs img_size on a real VideoMamba."""

import logging

import pytest
import torch
from mmengine.logging import MMLogger

from mmvssm.models.backbones.videomamba import VideoMamba
from mmvssm.utils.input_checks import InputShapeError, attach_input_check


@pytest.fixture
def backbone():
    model = VideoMamba(
        arch=dict(embed_dims=32, num_layers=1),
        img_size=64,
        patch_size=8,
        num_frames=8,
        tubelet_size=4,
    )
    assert attach_input_check(model)
    return model.eval()


def test_fitting_clip_passes(backbone):
    with torch.no_grad():
        backbone(torch.randn(1, 3, 8, 64, 64))


def test_clip_length_not_a_multiple_of_the_tubelet_raises(backbone):
    with pytest.raises(InputShapeError, match=r'6 frames .* clip_len'):
        backbone(torch.randn(1, 3, 6, 64, 64))


def test_frame_size_not_a_multiple_of_the_patch_raises(backbone):
    with pytest.raises(InputShapeError, match='multiple of 8'):
        backbone(torch.randn(1, 3, 8, 60, 60))


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_other_resolution_warns_once(backbone):
    logger = MMLogger.get_current_instance()
    handler = Records()
    logger.addHandler(handler)
    try:
        with torch.no_grad():
            for _ in range(3):
                backbone(torch.randn(1, 3, 8, 56, 56))
    finally:
        logger.removeHandler(handler)
    warnings = [r for r in handler.records if 'img_size' in r.getMessage()]
    assert len(warnings) == 1
    assert 'built for 64x64 frames but gets 56x56' in warnings[0].getMessage()


def test_other_backbones_are_left_alone():
    assert not attach_input_check(torch.nn.Conv3d(3, 4, 1))
