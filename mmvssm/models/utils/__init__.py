# Copyright (c) mmvssm contributors. All rights reserved.
from .ckpt_convert import (
    adapt_videomamba_shapes,
    convert_official_state_dict,
    official_to_recognizer,
    summarize_keys,
    unwrap_state_dict,
)
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
from .weight_init import trunc_normal_002_

__all__ = [
    'adapt_videomamba_shapes',
    'convert_official_state_dict',
    'official_to_recognizer',
    'summarize_keys',
    'trunc_normal_002_',
    'unwrap_state_dict',
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
