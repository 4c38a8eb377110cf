# Copyright (c) mmvssm contributors. All rights reserved.
"""Few-shot sampler and the base-to-novel dataset."""

from collections import Counter

import pytest

from mmvssm.datasets import BaseNovelDataset, FewShotSampler, few_shot_indices


class _Labels:
    """A dataset stand-in that only has labels (the sampler reads no video)."""

    def __init__(self, labels):
        self.labels = list(labels)

    def __len__(self):
        return len(self.labels)

    def get_data_info(self, i):
        return dict(label=self.labels[i], filename=f'v{i}.mp4')


LABELS = [i % 5 for i in range(60)]  # 5 classes x 12 videos


@pytest.mark.parametrize('shots', [2, 4, 8])
def test_few_shot_subset_is_balanced_seeded_and_deterministic(shots):
    a = few_shot_indices(LABELS, shots, seed=1)
    assert Counter(LABELS[i] for i in a) == {c: shots for c in range(5)}
    assert len(set(a)) == len(a) == 5 * shots
    assert a == few_shot_indices(LABELS, shots, seed=1)
    assert a != few_shot_indices(LABELS, shots, seed=2)


def test_few_shot_sampler_epochs_and_ranks():
    dataset = _Labels(LABELS)
    sampler = FewShotSampler(dataset, shots=4, subset_seed=3, seed=0)
    assert len(sampler) == 20
    first = list(sampler)
    assert sorted(first) == few_shot_indices(LABELS, 4, 3)
    assert list(FewShotSampler(dataset, 4, subset_seed=3, seed=0)) == first
    sampler.set_epoch(1)
    second = list(sampler)
    assert sorted(second) == sorted(first) and second != first
    with pytest.raises(ValueError, match='class 0 has 12 videos, fewer'):
        FewShotSampler(dataset, shots=16)


def test_base_novel_dataset_offsets_novel_labels(tmp_path):
    from mmaction.structures import ActionDataSample

    class Samples(_Labels):
        def __getitem__(self, i):
            return dict(
                inputs=i,
                data_samples=ActionDataSample().set_gt_label(self.labels[i]),
            )

    data = BaseNovelDataset(Samples([0, 1, 2]), Samples([0, 1]), 3, 2)
    assert len(data) == 5 and data.metainfo['num_base_classes'] == 3
    labels = [int(data[i]['data_samples'].gt_label) for i in range(5)]
    assert labels == [0, 1, 2, 3, 4]
    assert data[3]['data_samples'].class_split == 'novel'
    assert data.get_data_info(4)['label'] == 4
