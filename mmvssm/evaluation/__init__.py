# Copyright (c) mmvssm contributors. All rights reserved.
"""Evaluation metrics (only what mmaction2 lacks)."""

from .metrics import BaseNovelMetric, harmonic_mean
from .retrieval_metric import RetrievalMetric, retrieval_metrics

__all__ = [
    'BaseNovelMetric',
    'harmonic_mean',
    'RetrievalMetric',
    'retrieval_metrics',
]
