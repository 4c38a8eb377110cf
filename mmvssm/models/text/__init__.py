# Copyright (c) mmvssm contributors. All rights reserved.
"""Text encoders, the offline tokenizer and text branches."""

from .clip_text import CLIPTextTransformer
from .text_branch import (
    ACTIONCLIP_TEMPLATES,
    PROMPT_TEMPLATES,
    PromptTextBranch,
    load_class_names,
    readable_class_name,
)
from .tokenizer import CLIPTokenizer

__all__ = [
    'CLIPTextTransformer',
    'CLIPTokenizer',
    'PromptTextBranch',
    'ACTIONCLIP_TEMPLATES',
    'PROMPT_TEMPLATES',
    'load_class_names',
    'readable_class_name',
]
from .msta_text import MSTACLIPTextTransformer, MSTATextBranch  # noqa: E402

__all__ += ['MSTACLIPTextTransformer', 'MSTATextBranch']
