# Copyright (c) mmvssm contributors. All rights reserved.
"""Data transforms."""

from .rand_augment import VideoRandAugment

__all__ = ['VideoRandAugment']
