# Copyright (c) mmvssm contributors. All rights reserved.
"""Metrics mmaction2 lacks."""

from .retrieval_metric import RetrievalMetric, retrieval_metrics

__all__ = ['RetrievalMetric', 'retrieval_metrics']
