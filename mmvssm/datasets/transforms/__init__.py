# Copyright (c) mmvssm contributors. All rights reserved.
"""Data transforms."""

from .rand_augment import VideoRandAugment

__all__ = ['VideoRandAugment']
from .grayscale import VideoRandomGrayscale  # noqa: E402

__all__ += ['VideoRandomGrayscale']
