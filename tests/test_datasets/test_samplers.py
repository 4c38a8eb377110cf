# Copyright (c) mmvssm contributors. All rights reserved.
"""Per-sample seeds: a sample's augmentation does not depend on workers."""

import pickle

import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from torch.utils.data import DataLoader

from mmvssm.datasets import (
    BROKEN_KINDS,
    DefaultSampler,
    SeededIndex,
    VideoDataset,
    make_faulty_video_set,
    sample_seed,
)
from mmvssm.registry import DATA_SAMPLERS

# Random frame choice and random crop: every epoch augments differently.
PIPELINE = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=4, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='RandomResizedCrop', area_range=(0.3, 1.0)),
    dict(type='Resize', scale=(16, 16), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    """16 real mp4s and 2 broken files (replaced by random others)."""
    root = str(tmp_path_factory.mktemp('seeded'))
    ann_file, _, _ = make_faulty_video_set(root, 2, BROKEN_KINDS[:2])
    with DefaultScope.overwrite_default_scope('mmvssm'):
        return VideoDataset(
            ann_file=ann_file, data_prefix=dict(video=root), pipeline=PIPELINE
        )


def clips(dataset, num_workers, epoch=0, **kwargs):
    sampler = DefaultSampler(dataset, shuffle=True, seed=5, **kwargs)
    sampler.set_epoch(epoch)
    loader = DataLoader(
        dataset,
        batch_size=3,
        sampler=sampler,
        num_workers=num_workers,
        collate_fn=pseudo_collate,
        generator=torch.Generator().manual_seed(0),
    )
    return [clip for batch in loader for clip in batch['inputs']]


def test_seeded_index_is_an_int_that_survives_pickling():
    index = SeededIndex(7, seed=123)
    assert index == 7 and [0, 1, 2, 3, 4, 5, 6, 7][index] == 7
    copy = pickle.loads(pickle.dumps(index))
    assert type(copy) is SeededIndex and copy == 7 and copy.seed == 123
    assert sample_seed(5, 0, 3) == sample_seed(5, 0, 3)
    seeds = {sample_seed(5, e, p) for e in range(3) for p in range(100)}
    assert len(seeds) == 300


def test_bare_name_is_the_seeding_sampler(dataset):
    with DefaultScope.overwrite_default_scope('mmvssm'):
        sampler = DATA_SAMPLERS.build(
            dict(type='DefaultSampler', shuffle=True, seed=0),
            default_args=dict(dataset=dataset),
        )
    assert isinstance(sampler, DefaultSampler)
    assert all(isinstance(i, SeededIndex) for i in sampler)


def test_augmentation_does_not_depend_on_workers(dataset):
    torch.manual_seed(0)
    main_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    in_main = clips(dataset, num_workers=0)
    # Loading in the main process left its random state alone.
    assert torch.equal(torch.get_rng_state(), main_state)
    assert np.array_equal(np.random.get_state()[1], np_state)
    in_workers = clips(dataset, num_workers=2)
    assert len(in_main) == len(in_workers) == len(dataset)
    for a, b in zip(in_main, in_workers):
        assert torch.equal(a, b)
    # Another epoch augments the same videos differently.
    other = clips(dataset, num_workers=0, epoch=1)
    assert any(not torch.equal(a, b) for a, b in zip(in_main, other))
    # Plain indices (mmengine's behaviour): workers draw other numbers.
    plain = clips(dataset, num_workers=2, seed_samples=False)
    assert any(not torch.equal(a, b) for a, b in zip(in_main, plain))


def test_two_ranks_get_the_seeds_of_one_process(dataset):
    single = list(DefaultSampler(dataset, shuffle=True, seed=5))
    ranks = []
    for rank in range(2):
        sampler = DefaultSampler(dataset, shuffle=True, seed=5)
        sampler.rank, sampler.world_size = rank, 2
        sampler.num_samples = len(dataset) // 2
        sampler.total_size = len(dataset)
        ranks.append(list(sampler))
    merged = [i for pair in zip(*ranks) for i in pair]
    assert [(int(i), i.seed) for i in merged] == [
        (int(i), i.seed) for i in single
    ]
