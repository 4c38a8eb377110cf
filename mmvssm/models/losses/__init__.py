# Copyright (c) mmvssm contributors. All rights reserved.
"""Losses."""

from .cosine_distill_loss import CosineDistillLoss

__all__ = ['CosineDistillLoss']
