# Copyright (c) mmvssm contributors. All rights reserved.
"""Base-to-novel metric: per-split top-1 and the harmonic mean."""

import pytest
import torch

from mmvssm.evaluation import BaseNovelMetric, harmonic_mean


def test_harmonic_mean():
    assert harmonic_mean(0.8, 0.6) == pytest.approx(2 * 0.48 / 1.4)
    assert harmonic_mean(0.0, 0.0) == 0.0
    # The logged UCF101 runs: 96.01 base, 72.98 novel -> 82.93.
    assert harmonic_mean(96.01, 72.98) == pytest.approx(82.93, abs=0.005)


def test_metric_restricts_each_video_to_its_split():
    metric = BaseNovelMetric()
    metric.dataset_meta = dict(num_base_classes=2)
    scores = [
        ([0.6, 0.1, 0.3, 0.0], 0),  # base, right
        ([0.1, 0.2, 0.7, 0.0], 1),  # base, right within base (2 is novel)
        ([0.5, 0.4, 0.0, 0.1], 0),  # base, right
        ([0.9, 0.0, 0.04, 0.06], 2),  # novel, wrong (3 > 2 among novel)
        ([0.0, 0.0, 0.8, 0.2], 2),  # novel, right
    ]
    samples = [
        dict(pred_score=torch.tensor(s), gt_label=torch.tensor([y]))
        for s, y in scores
    ]
    metric.process(None, samples)
    out = metric.evaluate(len(samples))
    assert out['b2n/base_top1'] == pytest.approx(1.0)
    assert out['b2n/novel_top1'] == pytest.approx(0.5)
    assert out['b2n/hm'] == pytest.approx(2 * 0.5 / 1.5)
    with pytest.raises(ValueError, match='num_base_classes'):
        BaseNovelMetric().process(None, samples)
