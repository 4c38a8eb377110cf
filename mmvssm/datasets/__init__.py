# Copyright (c) mmvssm contributors. All rights reserved.
"""Datasets and transforms."""

from . import transforms
from .motion_render import (
    SYNTHETIC_MOTION_CLASSES,
    MotionClipSpec,
    render_motion_clip,
    reversal_partner,
    sample_motion_clip,
)
from .synthetic_motion import (
    SyntheticMotionDataset,
    render_synthetic_motion,
    synthetic_motion_clips,
)
from .transforms import *  # noqa: F401,F403

__all__ = [
    *transforms.__all__,
    'SYNTHETIC_MOTION_CLASSES',
    'MotionClipSpec',
    'SyntheticMotionDataset',
    'render_motion_clip',
    'render_synthetic_motion',
    'reversal_partner',
    'sample_motion_clip',
    'synthetic_motion_clips',
]
