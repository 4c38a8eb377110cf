# Copyright (c) mmvssm contributors. All rights reserved.
"""Video-text retrieval metrics: R@1/5/10, median and mean rank, both ways.

Text-to-video (``t2v``): for every caption, the rank of its video among all
videos. Video-to-text (``v2t``): for every video, the best rank among its
captions (a video with several captions counts once). Ranks start at 1;
``R@K`` is the percentage of queries whose rank is at most K.
"""

from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from mmvssm.registry import METRICS

__all__ = ['RetrievalMetric', 'retrieval_metrics']


def _summary(ranks: np.ndarray, prefix: str, ks: Sequence[int]) -> Dict:
    out = {f'{prefix}_R@{k}': float((ranks <= k).mean() * 100) for k in ks}
    out[f'{prefix}_MdR'] = float(np.median(ranks))
    out[f'{prefix}_MnR'] = float(ranks.mean())
    return out


def retrieval_metrics(
    sim: np.ndarray,
    text_to_video: Optional[Sequence[int]] = None,
    ks: Sequence[int] = (1, 5, 10),
) -> Dict[str, float]:
    """Retrieval metrics of a text-video similarity matrix.

    Args:
        sim (np.ndarray): ``(num_texts, num_videos)`` similarities.
        text_to_video (Sequence[int], optional): The video of each text.
            Defaults to ``range(num_texts)`` (text i describes video i).
        ks (Sequence[int]): Recall cut-offs. Defaults to (1, 5, 10).

    Returns:
        dict: ``t2v_R@K``, ``t2v_MdR``, ``t2v_MnR`` and the same for
        ``v2t``; recalls in percent.
    """
    sim = np.asarray(sim, dtype=np.float64)
    if sim.ndim != 2:
        raise ValueError(f'sim must be 2-D (texts, videos), got {sim.shape}')
    num_texts, num_videos = sim.shape
    if text_to_video is None:
        if num_texts != num_videos:
            raise ValueError(
                f'{num_texts} texts and {num_videos} videos: give '
                'text_to_video (the video index of every text)'
            )
        text_to_video = np.arange(num_texts)
    gt = np.asarray(text_to_video, dtype=np.int64)
    if gt.shape != (num_texts,) or gt.min() < 0 or gt.max() >= num_videos:
        raise ValueError(
            'text_to_video must give one video index in '
            f'[0, {num_videos}) per text'
        )
    # Rank = 1 + number of candidates scoring strictly higher.
    own = sim[np.arange(num_texts), gt]
    t2v = 1 + (sim > own[:, None]).sum(1)
    # A video ranks at the place of its best-scoring caption.
    best = np.full(num_videos, -np.inf)
    np.maximum.at(best, gt, own)
    if np.isinf(best).any():
        raise ValueError(
            f'{int(np.isinf(best).sum())} videos have no caption; every '
            'video needs at least one text'
        )
    v2t = 1 + (sim > best[None, :]).sum(0)
    return {**_summary(t2v, 't2v', ks), **_summary(v2t, 'v2t', ks)}


@METRICS.register_module()
class RetrievalMetric(BaseMetric):
    """Video-text retrieval metric over a caption dataset.

    Each data sample carries the L2-normalised ``video_feat`` and
    ``text_feat`` of one (video, caption) pair and its ``video_id``
    (:class:`~mmvssm.models.recognizers.VideoTextRetriever` in predict
    mode); pairs of one video share its features. The similarity of every
    caption with every video is ranked in both directions.

    Args:
        ks (Sequence[int]): Recall cut-offs. Defaults to (1, 5, 10).
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to 'retrieval'.
    """

    default_prefix = 'retrieval'

    def __init__(
        self,
        ks: Sequence[int] = (1, 5, 10),
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.ks = tuple(ks)

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            get = sample.get  # a dict (mmengine's evaluator converts)
            self.results.append(
                dict(
                    video_id=int(get('video_id')),
                    video_feat=torch.as_tensor(get('video_feat'))
                    .float()
                    .cpu(),
                    text_feat=torch.as_tensor(get('text_feat')).float().cpu(),
                )
            )

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        videos: Dict[int, int] = {}
        video_feats = []
        for r in results:
            if r['video_id'] not in videos:
                videos[r['video_id']] = len(video_feats)
                video_feats.append(r['video_feat'])
        text = torch.stack([r['text_feat'] for r in results])
        video = torch.stack(video_feats)
        sim = (text @ video.T).numpy()
        gt = [videos[r['video_id']] for r in results]
        return retrieval_metrics(sim, gt, self.ks)
