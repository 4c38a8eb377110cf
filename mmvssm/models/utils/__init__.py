# Copyright (c) mmvssm contributors. All rights reserved.
from .ckpt_convert import (
    adapt_videomamba_shapes,
    convert_official_state_dict,
    official_to_recognizer,
    summarize_keys,
    unwrap_state_dict,
)
from .weight_init import trunc_normal_002_

__all__ = [
    'adapt_videomamba_shapes',
    'convert_official_state_dict',
    'official_to_recognizer',
    'summarize_keys',
    'trunc_normal_002_',
    'unwrap_state_dict',
]
