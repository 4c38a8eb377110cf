# Copyright (c) mmvssm contributors. All rights reserved.
from .arch import resolve_arch
from .ckpt_convert import (
    adapt_videomamba_checkpoint,
    adapt_videomamba_shapes,
    convert_official_state_dict,
    official_to_recognizer,
    report_load_mismatches,
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
    frozen_modules,
    log_parameter_summary,
    parameter_summary,
)
from .weight_init import trunc_normal_002_

__all__ = [
    'FoundationModule',
    'FoundationWeightsError',
    'adapt_videomamba_checkpoint',
    'adapt_videomamba_shapes',
    'convert_official_state_dict',
    'exclude_frozen_from_checkpoint',
    'freeze_foundation',
    'frozen_modules',
    'load_foundation_state_dict',
    'load_state_dict_exactly',
    'log_parameter_summary',
    'logit_scale_from_state_dict',
    'official_to_recognizer',
    'parameter_summary',
    'pretrained_checkpoint',
    'report_load_mismatches',
    'resolve_arch',
    'select_prefixed',
    'summarize_keys',
    'trunc_normal_002_',
    'unwrap_state_dict',
]
