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
from .seeded_sampler import DefaultSampler, SeededIndex, sample_seed, seeded_by
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
    'DefaultSampler',
    'SeededIndex',
    'sample_seed',
    'seeded_by',
]
from .description_files import (  # noqa: E402
    DESCRIPTION_FILES,
    DescriptionFileError,
    description_problems,
    load_descriptions,
    resolve_description_file,
)

__all__ += [
    'DESCRIPTION_FILES',
    'DescriptionFileError',
    'description_problems',
    'load_descriptions',
    'resolve_description_file',
]
from .base_novel import BaseNovelDataset  # noqa: E402
from .samplers import FewShotSampler, few_shot_indices  # noqa: E402

__all__ += ['BaseNovelDataset', 'FewShotSampler', 'few_shot_indices']

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
