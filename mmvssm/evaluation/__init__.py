# Copyright (c) mmvssm contributors. All rights reserved.
"""Evaluation metrics (only what mmaction2 lacks)."""

from .metrics import BaseNovelMetric, harmonic_mean

__all__ = ['BaseNovelMetric', 'harmonic_mean']

"""Metrics mmaction2 lacks."""

from .retrieval_metric import RetrievalMetric, retrieval_metrics

__all__ = ['RetrievalMetric', 'retrieval_metrics']
