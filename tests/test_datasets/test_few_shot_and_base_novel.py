# Copyright (c) mmvssm contributors. All rights reserved.
"""Few-shot sampler and the base-to-novel dataset."""

from collections import Counter

import pytest

from mmvssm.datasets import (
    BaseNovelDataset,
    FewShotSampler,
    VideoDataset,
    few_shot_indices,
)

LABELS = [i % 5 for i in range(60)]  # 5 classes x 12 videos


@pytest.fixture
def video_list(tmp_path):
    """A real annotation list (the sampler reads labels, not videos)."""
    path = tmp_path / 'train.txt'
    path.write_text(''.join(f'v{i}.mp4 {y}\n' for i, y in enumerate(LABELS)))
    return VideoDataset(str(path), pipeline=[], data_prefix=dict(video=''))


@pytest.mark.parametrize('shots', [2, 4, 8])
def test_few_shot_subset_is_balanced_seeded_and_deterministic(shots):
    a = few_shot_indices(LABELS, shots, seed=1)
    assert Counter(LABELS[i] for i in a) == {c: shots for c in range(5)}
    assert len(set(a)) == len(a) == 5 * shots
    assert a == few_shot_indices(LABELS, shots, seed=1)
    assert a != few_shot_indices(LABELS, shots, seed=2)


def test_few_shot_sampler_epochs_and_ranks(video_list):
    sampler = FewShotSampler(video_list, shots=4, subset_seed=3, seed=0)
    assert len(sampler) == 20
    first = list(sampler)
    assert sorted(first) == few_shot_indices(LABELS, 4, 3)
    again = FewShotSampler(video_list, 4, subset_seed=3, seed=0)
    assert list(again) == first
    sampler.set_epoch(1)
    second = list(sampler)
    assert sorted(second) == sorted(first) and second != first
    with pytest.raises(ValueError, match='class 0 has 12 videos, fewer'):
        FewShotSampler(video_list, shots=16)


def test_base_novel_dataset_offsets_novel_labels(tmp_path):
    render = dict(num_frames=8, resolution=32, fps=8, seed=0)
    pipeline = [
        dict(type='DecordInit'),
        dict(type='UniformSample', clip_len=4, num_clips=1, test_mode=True),
        dict(type='DecordDecode'),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]

    def part(classes, name):
        return dict(
            type='SyntheticMotionDataset',
            data_root=str(tmp_path / name),
            split='val',
            classes=classes,
            num_videos_per_class=1,
            pipeline=pipeline,
            test_mode=True,
            **render,
        )

    data = BaseNovelDataset(
        part(['moving_left', 'moving_right', 'moving_up', 'moving_down'], 'b'),
        part(['approaching', 'receding'], 'n'),
        num_base_classes=4,
        num_novel_classes=2,
    )
    assert len(data) == 6 and data.metainfo['num_base_classes'] == 4
    samples = [data[i]['data_samples'] for i in range(6)]
    assert [int(s.gt_label) for s in samples] == [0, 1, 2, 3, 4, 5]
    assert [s.class_split for s in samples] == ['base'] * 4 + ['novel'] * 2
    assert data.get_data_info(5)['label'] == 5
    assert data[4]['inputs'].shape == (1, 3, 4, 32, 32)
