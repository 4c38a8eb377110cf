# Copyright (c) mmvssm contributors. All rights reserved.
"""Hooks: data checks, crash-safe checkpoints, test-clip visualization."""

from .checkpoint_hook import SafeCheckpointHook, get_rng_state, set_rng_state
from .data_check_hook import DataCheckHook
from .visualization_hook import VideoVisualizationHook

__all__ = [
    'DataCheckHook',
    'SafeCheckpointHook',
    'VideoVisualizationHook',
    'get_rng_state',
    'set_rng_state',
]
