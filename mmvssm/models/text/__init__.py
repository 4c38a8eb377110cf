# Copyright (c) mmvssm contributors. All rights reserved.
"""Text encoders, the offline tokenizer and text branches."""

from .clip_text import CLIPTextTransformer
from .tokenizer import CLIPTokenizer

__all__ = ['CLIPTextTransformer', 'CLIPTokenizer']
