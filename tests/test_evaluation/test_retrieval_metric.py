# Copyright (c) mmvssm contributors. All rights reserved.
"""Retrieval metric on similarity matrices ranked by hand."""

import numpy as np
import pytest
import torch

from mmvssm.evaluation import RetrievalMetric, retrieval_metrics

# Texts x videos. Text i describes video i.
SIM = np.array(
    [
        [0.9, 0.1, 0.2, 0.0],  # text 0: video 0 first         -> rank 1
        [0.8, 0.7, 0.1, 0.0],  # text 1: video 0 beats video 1 -> rank 2
        [0.5, 0.6, 0.4, 0.3],  # text 2: videos 1, 0 beat 2    -> rank 3
        [0.4, 0.3, 0.2, 0.1],  # text 3: all three beat 3      -> rank 4
    ]
)
# Video j against the texts (column j): video 0 -> text 0 (0.9) first:
# rank 1; video 1 (0.1, .7, .6, .3) -> text 1 first: rank 1; video 2 (.2,
# .1, .4, .2) -> text 2 first: rank 1; video 3 (0, 0, .3, .1) -> text 2
# beats text 3: rank 2.


def test_hand_computed_ranks():
    m = retrieval_metrics(SIM, ks=(1, 2, 3))
    assert m['t2v_R@1'] == 25.0
    assert m['t2v_R@2'] == 50.0
    assert m['t2v_R@3'] == 75.0
    assert m['t2v_MdR'] == 2.5  # median of 1, 2, 3, 4
    assert m['t2v_MnR'] == 2.5
    assert m['v2t_R@1'] == 75.0
    assert m['v2t_R@2'] == 100.0
    assert m['v2t_MdR'] == 1.0
    assert m['v2t_MnR'] == 1.25
    default = retrieval_metrics(SIM)
    assert {'t2v_R@10', 'v2t_R@5', 'v2t_MdR'} <= set(default)


def test_several_captions_per_video():
    # 3 texts, 2 videos; texts 0 and 1 describe video 0.
    sim = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.4]])
    m = retrieval_metrics(sim, [0, 0, 1], ks=(1,))
    assert m['t2v_R@1'] == pytest.approx(200 / 3)  # text 0 ranks video 0 2nd
    # video 0: best caption text 1 (0.8) is first; video 1: text 2 (0.4)
    # is beaten by text 0 (0.9) -> rank 2.
    assert m['v2t_R@1'] == 50.0
    with pytest.raises(ValueError, match='text_to_video'):
        retrieval_metrics(sim)
    with pytest.raises(ValueError, match='no caption'):
        retrieval_metrics(sim, [0, 0, 0])


def test_metric_groups_pairs_by_video():
    metric = RetrievalMetric(ks=(1, 2, 3))
    video = torch.eye(4)
    # Make the text features reproduce SIM against one-hot videos.
    text = torch.tensor(SIM, dtype=torch.float32)
    samples = [
        dict(video_id=i, video_feat=video[i], text_feat=text[i])
        for i in range(4)
    ]
    metric.process({}, samples)
    out = metric.evaluate(4)
    assert out['retrieval/t2v_R@1'] == 25.0
    assert out['retrieval/v2t_R@1'] == 75.0
