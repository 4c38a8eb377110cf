# Copyright (c) mmvssm contributors. All rights reserved.
"""Base-to-novel accuracy: base, novel and their harmonic mean."""

from typing import Any, Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric

from mmvssm.registry import METRICS

__all__ = ['BaseNovelMetric', 'harmonic_mean']


def harmonic_mean(base: float, novel: float) -> float:
    """``HM = 2 b n / (b + n)`` (0 when both are 0).

    Args:
        base (float): Base-class accuracy.
        novel (float): Novel-class accuracy.

    Returns:
        float: The harmonic mean.
    """
    if base < 0 or novel < 0:
        raise ValueError(f'accuracies must be >= 0, got {base}, {novel}')
    total = base + novel
    return 0.0 if total == 0 else 2.0 * base * novel / total


@METRICS.register_module()
class BaseNovelMetric(BaseMetric):
    """Top-1 of base videos among base classes, novel among novel, and HM.

    Labels are in the joint space of :class:`~mmvssm.datasets.
    BaseNovelDataset` (base ``0..B-1``, novel ``B..B+N-1``); each video is
    classified among its own split's classes only (the argmax of its
    ``pred_score`` restricted to those columns), as if base and novel
    videos were tested in separate runs with their own class lists.

    Args:
        num_base_classes (int, optional): ``B``. Defaults to None: the
            dataset's ``metainfo['num_base_classes']``.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to None.
    """

    default_prefix = 'b2n'

    def __init__(
        self,
        num_base_classes: Optional[int] = None,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
    ):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.num_base_classes = num_base_classes

    def _num_base(self) -> int:
        n = self.num_base_classes
        if n is None:
            n = (self.dataset_meta or {}).get('num_base_classes')
        if n is None:
            raise ValueError(
                'BaseNovelMetric needs num_base_classes (or a '
                'BaseNovelDataset, whose metainfo holds it)'
            )
        return int(n)

    def process(self, data_batch: Any, data_samples: Sequence[Dict]) -> None:
        """Keep each video's label and its split-restricted prediction."""
        num_base = self._num_base()
        for sample in data_samples:
            score = sample['pred_score'].float().cpu()
            label = int(torch.as_tensor(sample['gt_label']).reshape(-1)[0])
            novel = label >= num_base
            part = score[num_base:] if novel else score[:num_base]
            pred = int(part.argmax()) + (num_base if novel else 0)
            self.results.append((novel, pred == label))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        """``base_top1``, ``novel_top1``, ``hm`` (fractions, as AccMetric)."""

        def acc(novel: bool) -> float:
            hits = [ok for is_novel, ok in results if is_novel == novel]
            return sum(hits) / len(hits) if hits else 0.0

        base, novel = acc(False), acc(True)
        return dict(
            base_top1=base, novel_top1=novel, hm=harmonic_mean(base, novel)
        )
