# Copyright (c) mmvssm contributors. All rights reserved.
"""Datasets and transforms."""

from . import transforms
from .faults import BROKEN_KINDS, make_faulty_video_set, write_broken_video
from .long_video import (
    BREAKFAST_CLASSES,
    LVU_TASKS,
    BreakfastDataset,
    COINDataset,
    LVUDataset,
)
from .motion_render import (
    SYNTHETIC_MOTION_CLASSES,
    MotionClipSpec,
    render_motion_clip,
    reversal_partner,
    sample_motion_clip,
)
from .retrieval import (
    SYNTHETIC_CAPTIONS,
    SyntheticCaptionDataset,
    VideoCaptionDataset,
)
from .synthetic_motion import (
    SyntheticMotionDataset,
    render_synthetic_motion,
    synthetic_motion_clips,
)
from .transforms import *  # noqa: F401,F403
from .video_dataset import (
    AnnotationError,
    BadVideoError,
    DataError,
    VideoDataset,
    reading_stage_length,
)

__all__ = [
    *transforms.__all__,
    'AnnotationError',
    'BROKEN_KINDS',
    'BadVideoError',
    'DataError',
    'VideoDataset',
    'make_faulty_video_set',
    'reading_stage_length',
    'SYNTHETIC_MOTION_CLASSES',
    'MotionClipSpec',
    'SyntheticMotionDataset',
    'render_motion_clip',
    'render_synthetic_motion',
    'reversal_partner',
    'sample_motion_clip',
    'synthetic_motion_clips',
    'write_broken_video',
]
__all__ += [
    'SYNTHETIC_CAPTIONS',
    'SyntheticCaptionDataset',
    'VideoCaptionDataset',
]
__all__ += [
    'BREAKFAST_CLASSES',
    'LVU_TASKS',
    'BreakfastDataset',
    'COINDataset',
    'LVUDataset',
]
