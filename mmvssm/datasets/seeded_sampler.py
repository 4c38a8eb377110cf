# Copyright (c) mmvssm contributors. All rights reserved.
"""mmengine's ``DefaultSampler`` whose indices carry a per-sample seed.

Registered as ``DefaultSampler`` in mmvssm's scope, so configs with
``default_scope='mmvssm'`` use it as written. Each index it yields is a
:class:`SeededIndex`: an ``int`` (any dataset takes it as one) that also
carries a seed made from the sampler's seed, the epoch and the sample's
position in the epoch's global order (over all ranks). mmvssm's
:class:`~mmvssm.datasets.VideoDataset` seeds python, numpy and torch with it
while it reads and transforms that sample, and puts the caller's random
state back afterwards.

So the random augmentation of a sample depends only on (seed, epoch,
position), not on which DataLoader worker happens to load it, how many
workers there are, how far that worker's random stream had advanced, or
whether the run was resumed in the middle of the epoch. That is what makes
a resumed run's data exactly the uninterrupted run's with ``num_workers >
0``; and as data loading in the main process (``num_workers=0``) no longer
moves the main random state, drop path and Mixup draw the same numbers with
any number of workers.
"""

import contextlib
import random
from typing import Iterator, Optional

import numpy as np
from mmengine.dataset import DefaultSampler as _DefaultSampler

from mmvssm.registry import DATA_SAMPLERS

__all__ = ['DefaultSampler', 'SeededIndex', 'sample_seed', 'seeded_by']


def sample_seed(seed: int, epoch: int, position: int) -> int:
    """The seed of the sample at ``position`` of ``epoch``.

    Args:
        seed (int): The sampler's seed.
        epoch (int): The epoch (as set by ``set_epoch``).
        position (int): The sample's position in the epoch's global order.

    Returns:
        int: A seed in ``[0, 2**32)``.
    """
    entropy = [int(seed) % 2**32, int(epoch), int(position)]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


class SeededIndex(int):
    """A dataset index that also carries the seed of its sample.

    Args:
        index (int): The index.
        seed (int): The sample's seed (``seed`` attribute).
    """

    seed: int

    def __new__(cls, index: int, seed: int) -> 'SeededIndex':
        obj = super().__new__(cls, index)
        obj.seed = int(seed)
        return obj

    def __reduce__(self):  # DataLoader workers receive it pickled
        return SeededIndex, (int(self), self.seed)

    def __repr__(self) -> str:
        return f'SeededIndex({int(self)}, seed={self.seed})'


@contextlib.contextmanager
def seeded_by(index):
    """Seed python, numpy and torch from a :class:`SeededIndex`, then
    restore the caller's random states (a plain index does nothing).

    Args:
        index (int): A dataset index, seeded or not.
    """
    seed: Optional[int] = getattr(index, 'seed', None)
    if seed is None:
        yield
        return
    import torch

    saved = random.getstate(), np.random.get_state(), torch.get_rng_state()
    random.seed(seed)
    np.random.seed(seed)
    torch.default_generator.manual_seed(seed)  # CPU only: CUDA untouched
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        torch.set_rng_state(saved[2])


@DATA_SAMPLERS.register_module()
class DefaultSampler(_DefaultSampler):
    """mmengine's ``DefaultSampler``; each index carries a sample seed.

    Args:
        *args: ``mmengine.dataset.DefaultSampler`` arguments (``dataset``,
            ``shuffle``, ``seed``, ``round_up``).
        seed_samples (bool): Yield :class:`SeededIndex` (True) or plain
            ints, exactly as mmengine's sampler (False). Defaults to True.
        **kwargs: ``mmengine.dataset.DefaultSampler`` keyword arguments.
    """

    def __init__(self, *args, seed_samples: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seed_samples = bool(seed_samples)

    def __iter__(self) -> Iterator[int]:
        indices = super().__iter__()
        if not self.seed_samples:
            yield from indices
            return
        for local, index in enumerate(indices):
            # DefaultSampler gives rank r the global positions r, r+w, ...
            position = local * self.world_size + self.rank
            yield SeededIndex(
                index, sample_seed(self.seed, self.epoch, position)
            )
