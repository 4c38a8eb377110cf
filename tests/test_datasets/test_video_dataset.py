# Copyright (c) mmvssm contributors. All rights reserved.
"""Bad videos and bad annotation lines, on real broken mp4 files."""

import os.path as osp
import re
import shutil

import numpy as np
import pytest
from mmengine.registry import DefaultScope

from mmvssm.datasets import (
    BROKEN_KINDS,
    AnnotationError,
    BadVideoError,
    DataError,
    SyntheticMotionDataset,
    VideoDataset,
    make_faulty_video_set,
    reading_stage_length,
)
from mmvssm.registry import DATASETS

PIPELINE = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=4, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]


@pytest.fixture(scope='module')
def faulty(tmp_path_factory):
    """16 real synthetic mp4s and one broken file of each kind."""
    root = str(tmp_path_factory.mktemp('faulty'))
    ann_file, bad, _ = make_faulty_video_set(root, 2, BROKEN_KINDS)
    return root, ann_file, bad


def build(root, ann_file, **kwargs):
    with DefaultScope.overwrite_default_scope('mmvssm'):
        return DATASETS.build(
            dict(
                type='VideoDataset',
                ann_file=ann_file,
                data_prefix=dict(video=root),
                pipeline=PIPELINE,
                **kwargs,
            )
        )


def test_bare_name_is_the_checked_dataset(faulty):
    assert type(build(faulty[0], faulty[1])) is VideoDataset


def test_reading_stage_ends_at_the_last_decode():
    class DecordInit:
        pass

    class DecordDecode:
        pass

    class Resize:
        pass

    assert reading_stage_length([DecordInit(), DecordDecode(), Resize()]) == 2
    assert reading_stage_length([Resize(), Resize()]) == 2


def test_broken_files_are_found_with_path_and_reason(faulty):
    root, ann_file, bad = faulty
    dataset = build(root, ann_file)
    problems = {
        dataset.get_data_info(i)['filename']: dataset.video_problem(i)
        for i in range(len(dataset))
    }
    found = {path for path, problem in problems.items() if problem}
    assert found == set(bad)
    missing = problems[next(p for p in bad if 'missing' in p)]
    assert missing.startswith('FileNotFoundError')
    assert problems[next(p for p in bad if 'zero_byte' in p)].startswith(
        'RuntimeError'
    )


def test_training_replaces_bad_samples_and_records_them(faulty):
    root, ann_file, bad = faulty
    dataset = build(root, ann_file)
    np.random.seed(0)
    replaced = []
    for i in range(len(dataset)):
        data = dataset[i]
        # Every sample is a real decoded clip: 1 clip x 3 x 4 x 32 x 32.
        assert tuple(data['inputs'].shape) == (1, 3, 4, 32, 32)
        assert data['inputs'].float().std() > 0
        replaced += data['data_samples'].metainfo.get('replaced_videos', [])
    assert sorted(p for p, _ in replaced) == sorted(bad)
    assert all(reason for _, reason in replaced)


def test_testing_marks_bad_samples_as_skipped(faulty):
    root, ann_file, bad = faulty
    dataset = build(root, ann_file, test_mode=True)
    skipped = []
    for i in range(len(dataset)):
        data = dataset[i]
        meta = data['data_samples'].metainfo
        if 'skipped_video' in meta:
            assert data['inputs'].numel() == 0  # no zero-filled clip
            skipped.append(meta['skipped_video'])
        else:
            assert data['inputs'].shape[-1] == 32
    assert sorted(skipped) == sorted(bad)


def test_strict_mode_raises_naming_the_file(faulty):
    root, ann_file, bad = faulty
    dataset = build(root, ann_file, strict_videos=True)
    index = next(
        i
        for i in range(len(dataset))
        if dataset.get_data_info(i)['filename'] == bad[0]
    )
    with pytest.raises(BadVideoError, match='unreadable video .*zero_byte'):
        dataset[index]


def test_too_many_bad_in_a_row_is_an_error(faulty, tmp_path):
    root, _, bad = faulty
    ann = tmp_path / 'only_bad.txt'
    ann.write_text(''.join(f'{osp.relpath(p, root)} 0\n' for p in bad))
    dataset = build(root, str(ann), max_refetch=3)
    with pytest.raises(BadVideoError, match='4 samples in a row'):
        dataset[0]


def test_transform_error_after_decoding_names_file_and_transform(faulty):
    root, ann_file, _ = faulty
    with DefaultScope.overwrite_default_scope('mmvssm'):
        dataset = DATASETS.build(
            dict(
                type='VideoDataset',
                ann_file=ann_file,
                data_prefix=dict(video=root),
                # A crop larger than the 32-px frames fails after decoding.
                pipeline=[
                    *PIPELINE[:3],
                    dict(type='ThreeCrop', crop_size=64),
                    *PIPELINE[4:],
                ],
            )
        )
    good = next(
        i for i in range(len(dataset)) if dataset.video_problem(i) is None
    )
    with pytest.raises(DataError, match=r'ThreeCrop failed on .*\.mp4'):
        dataset[good]


@pytest.mark.parametrize(
    'line, problem',
    [
        ('train/x.mp4 8', r'label 8 outside \[0, 8\)'),
        ('train/x.mp4 -1', r'label -1 outside'),
        ('train/x.mp4', 'no label'),
        ('train/x.mp4 one', 'not an integer'),
        ('train/my video.mp4 3', '3 fields'),
    ],
)
def test_bad_annotation_line_names_file_line_and_content(
    faulty, tmp_path, line, problem
):
    root, ann_file, _ = faulty
    lines = open(ann_file).read().splitlines()
    lines.insert(4, line)
    ann = tmp_path / 'ann.txt'
    ann.write_text('\n'.join(lines) + '\n')
    with pytest.raises(AnnotationError) as info:
        build(root, str(ann), num_classes=8, multi_class=False)
    message = str(info.value)
    assert message.startswith(f'{ann}:5: ')
    assert repr(line) in message
    assert len(message.splitlines()) == 1
    assert re.search(problem, message), message


def test_labels_are_checked_against_a_head(faulty):
    root, ann_file, _ = faulty
    dataset = build(root, ann_file)  # no num_classes: any label >= 0
    dataset.check_num_classes(8)
    with pytest.raises(
        AnnotationError, match=r':\d+: label 7 .*num_classes=4'
    ):
        dataset.check_num_classes(4)


def test_unlabeled_lines_only_when_allowed(faulty, tmp_path):
    root, ann_file, _ = faulty
    ann = tmp_path / 'unlabeled.txt'
    ann.write_text(''.join(line.split()[0] + '\n' for line in open(ann_file)))
    with pytest.raises(AnnotationError, match='allow_unlabeled'):
        build(root, str(ann))
    dataset = build(root, str(ann), allow_unlabeled=True)
    labels = {dataset.get_data_info(i)['label'] for i in range(len(dataset))}
    assert labels == {-1}


def test_missing_annotation_file_is_one_line(tmp_path):
    with pytest.raises(AnnotationError, match='does not exist'):
        build(str(tmp_path), str(tmp_path / 'none.txt'))


def test_synthetic_dataset_skips_a_corrupted_video(tmp_path):
    with DefaultScope.overwrite_default_scope('mmvssm'):
        check_corrupted_synthetic_video(tmp_path)


def check_corrupted_synthetic_video(tmp_path):
    kwargs = dict(
        data_root=str(tmp_path / 'syn'),
        num_videos_per_class=1,
        num_frames=8,
        resolution=32,
        pipeline=PIPELINE,
    )
    dataset = SyntheticMotionDataset(**kwargs)
    path = dataset.get_data_info(3)['filename']
    with open(path, 'r+b') as f:
        f.truncate(100)
    dataset = SyntheticMotionDataset(**kwargs, test_mode=True)
    meta = dataset[3]['data_samples'].metainfo
    assert meta['skipped_video'] == path
    assert 'RuntimeError' in meta['skip_reason']
    strict = SyntheticMotionDataset(**kwargs, strict_videos=True)
    with pytest.raises(BadVideoError, match=osp.basename(path)):
        strict[3]
    shutil.rmtree(tmp_path / 'syn')
