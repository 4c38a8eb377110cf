# Copyright (c) mmvssm contributors. All rights reserved.
"""Hooks: data checks, crash-safe checkpoints that resume exactly."""

from .checkpoint_hook import SafeCheckpointHook, get_rng_state, set_rng_state
from .data_check_hook import DataCheckHook

__all__ = [
    'DataCheckHook',
    'SafeCheckpointHook',
    'get_rng_state',
    'set_rng_state',
]
