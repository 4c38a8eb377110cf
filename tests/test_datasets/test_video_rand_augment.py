# Copyright (c) mmvssm contributors. All rights reserved.
"""VideoRandAugment: one policy per clip, timm op semantics."""

import random

import numpy as np
import pytest

from mmvssm.datasets.transforms import VideoRandAugment
from mmvssm.registry import TRANSFORMS


def clip(frames=4, seed=0):
    rng = np.random.default_rng(seed)
    return [
        rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
        for _ in range(frames)
    ]


def test_same_augmentation_on_every_frame():
    """A static clip stays static: each op hits all frames alike."""
    aug = TRANSFORMS.build(
        dict(type='VideoRandAugment', magnitude=9, num_layers=4, prob=1.0)
    )
    frame = clip(1)[0]
    changed = 0
    for seed in range(20):
        random.seed(seed)
        out = aug(dict(imgs=[frame.copy() for _ in range(5)]))['imgs']
        assert all(img.shape == frame.shape for img in out)
        assert all(img.dtype == np.uint8 for img in out)
        assert all(np.array_equal(out[0], img) for img in out[1:])
        changed += not np.array_equal(out[0], frame)
    assert changed >= 15


@pytest.mark.parametrize(
    'name',
    [
        'Rotate',
        'Solarize',
        'SolarizeAdd',
        'Color',
        'Contrast',
        'Brightness',
        'Sharpness',
        'ShearX',
        'ShearY',
        'TranslateX',
        'TranslateY',
    ],
)
def test_level_zero_is_identity(name):
    frames = clip()
    out = VideoRandAugment().ops[name]([f.copy() for f in frames], 0.0)
    for a, b in zip(out, frames):
        np.testing.assert_array_equal(a, b)


def test_op_semantics():
    frames = clip()
    ops = VideoRandAugment().ops
    for a, b in zip(ops['Invert'](frames, 0.0), frames):
        np.testing.assert_array_equal(a, 255 - b)
    # Increasing set: the strongest posterize keeps 0 bits, the strongest
    # solarize inverts everything.
    assert all(not f.any() for f in ops['Posterize'](frames, 1.0))
    for a, b in zip(ops['Solarize'](frames, 1.0), frames):
        np.testing.assert_array_equal(a, 255 - b)
    random.seed(0)
    brighter = ops['Brightness']([np.full((8, 8, 3), 100, np.uint8)], 1.0)
    assert brighter[0].mean() != 100


def test_color_uses_rgb_luminance():
    red = np.zeros((8, 8, 3), np.uint8)
    red[..., 0] = 255
    # Non-increasing set at level 0: factor 0.1, i.e. 90% gray. The gray of
    # pure red is 0.299 * 255 = 76 in RGB (29 if read as BGR).
    (out,) = VideoRandAugment(increasing=False).ops['Color']([red], 0.0)
    assert 60 <= int(out[0, 0, 1]) <= 75


def test_bad_arguments():
    with pytest.raises(ValueError, match='magnitude'):
        VideoRandAugment(magnitude=12)
    with pytest.raises(ValueError, match='prob'):
        VideoRandAugment(prob=2.0)
