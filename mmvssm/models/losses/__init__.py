# Copyright (c) mmvssm contributors. All rights reserved.
"""Losses."""

from .cosine_distill_loss import CosineDistillLoss

__all__ = ['CosineDistillLoss']
from .consistency_loss import (  # noqa: E402
    DescriptionConsistencyLoss,
    description_consistency_loss,
)

__all__ += ['DescriptionConsistencyLoss', 'description_consistency_loss']
