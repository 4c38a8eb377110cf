# Copyright (c) mmvssm contributors. All rights reserved.
from .base_novel_metric import BaseNovelMetric, harmonic_mean

__all__ = ['BaseNovelMetric', 'harmonic_mean']
