# Copyright (c) mmvssm contributors. All rights reserved.
from .inference import (
    ActionRecogInferencer,
    MMAction2Inferencer,
    config_scope,
    inference_recognizer,
    init_recognizer,
    top_k,
)

__all__ = [
    'ActionRecogInferencer',
    'MMAction2Inferencer',
    'config_scope',
    'inference_recognizer',
    'init_recognizer',
    'top_k',
]
