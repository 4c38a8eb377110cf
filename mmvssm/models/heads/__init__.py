# Copyright (c) mmvssm contributors. All rights reserved.
"""Heads."""

from .feature_distill_head import FeatureDistillHead

__all__ = ['FeatureDistillHead']
