# Copyright (c) mmvssm contributors. All rights reserved.
"""Heads."""

from .feature_distill_head import FeatureDistillHead

__all__ = ['FeatureDistillHead']
from .text_similarity_head import TextSimilarityHead  # noqa: E402

__all__ += ['TextSimilarityHead']
