# Copyright (c) mmvssm contributors. All rights reserved.
"""Few-shot sampling: K videos per class, seeded and deterministic."""

import math
from typing import Dict, Iterator, List, Optional

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

from mmvssm.registry import DATA_SAMPLERS

__all__ = ['FewShotSampler', 'few_shot_indices']


def _labels(dataset) -> List[int]:
    if hasattr(dataset, 'full_init'):
        dataset.full_init()
    labels = []
    for i in range(len(dataset)):
        label = dataset.get_data_info(i)['label']
        if not isinstance(label, int):
            raise ValueError(
                f'few-shot sampling needs one integer label per video; '
                f'sample {i} has {label!r}'
            )
        labels.append(label)
    return labels


def few_shot_indices(labels: List[int], shots: int, seed: int) -> List[int]:
    """``shots`` distinct indices of every class, chosen by ``seed``.

    Args:
        labels (list[int]): Label of every sample.
        shots (int): ``K``.
        seed (int): The seed (same seed, same subset).

    Returns:
        list[int]: Sorted indices, ``K`` per class present in ``labels``.

    Raises:
        ValueError: A class has fewer than ``K`` videos.
    """
    if not isinstance(shots, int) or shots < 1:
        raise ValueError(f'shots must be a positive int, got {shots!r}')
    by_class: Dict[int, List[int]] = {}
    for i, label in enumerate(labels):
        by_class.setdefault(label, []).append(i)
    rng = np.random.default_rng(seed)
    chosen = []
    for label in sorted(by_class):
        pool = by_class[label]
        if len(pool) < shots:
            raise ValueError(
                f'class {label} has {len(pool)} videos, fewer than '
                f'{shots} shots; lower shots or add videos'
            )
        chosen += [pool[j] for j in rng.choice(len(pool), shots, False)]
    return sorted(chosen)


@DATA_SAMPLERS.register_module()
class FewShotSampler(Sampler):
    """All-way K-shot training: a fixed, class-balanced subset.

    The subset (``shots`` videos of every class) depends only on the
    dataset's labels and ``subset_seed``, so every run, rank and epoch
    sees the same videos; each epoch visits them in a fresh order
    (``seed + epoch``), split over ranks like ``DefaultSampler``.

    Args:
        dataset (Dataset): With ``get_data_info(i)['label']``.
        shots (int): ``K`` (2, 4, 8, 16 in the benchmark).
        subset_seed (int): Picks the subset. Defaults to 0.
        shuffle (bool): Shuffle every epoch. Defaults to True.
        seed (int, optional): Shuffling seed; None syncs a random one over
            ranks. Defaults to None.
        round_up (bool): Pad so every rank gets as many. Defaults to True.
    """

    def __init__(
        self,
        dataset,
        shots: int,
        subset_seed: int = 0,
        shuffle: bool = True,
        seed: Optional[int] = None,
        round_up: bool = True,
    ):
        rank, world_size = get_dist_info()
        self.rank, self.world_size = rank, world_size
        self.dataset = dataset
        self.shots = shots
        self.subset_seed = subset_seed
        self.indices = few_shot_indices(_labels(dataset), shots, subset_seed)
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.round_up = round_up
        self.epoch = 0
        n = len(self.indices)
        if round_up:
            self.num_samples = math.ceil(n / world_size)
            self.total_size = self.num_samples * world_size
        else:
            self.num_samples = math.ceil((n - rank) / world_size)
            self.total_size = n

    def __iter__(self) -> Iterator[int]:
        order = self.indices
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            perm = torch.randperm(len(order), generator=g).tolist()
            order = [order[i] for i in perm]
        if self.round_up:
            reps = math.ceil(self.total_size / max(len(order), 1))
            order = (order * reps)[: self.total_size]
        return iter(order[self.rank : self.total_size : self.world_size])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch (its shuffling order)."""
        self.epoch = epoch
