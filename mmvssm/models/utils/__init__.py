# Copyright (c) mmvssm contributors. All rights reserved.
"""Model utilities: foundation weights and the frozen-foundation contract."""

from .foundation_weights import (
    FoundationModule,
    FoundationWeightsError,
    load_foundation_state_dict,
    load_state_dict_exactly,
    logit_scale_from_state_dict,
    pretrained_checkpoint,
    select_prefixed,
)
from .frozen import (
    exclude_frozen_from_checkpoint,
    freeze_foundation,
    log_parameter_summary,
    parameter_summary,
)

__all__ = [
    'FoundationModule',
    'FoundationWeightsError',
    'load_foundation_state_dict',
    'load_state_dict_exactly',
    'logit_scale_from_state_dict',
    'pretrained_checkpoint',
    'select_prefixed',
    'freeze_foundation',
    'exclude_frozen_from_checkpoint',
    'log_parameter_summary',
    'parameter_summary',
]
