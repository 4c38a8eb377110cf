# Copyright (c) mmvssm contributors. All rights reserved.
"""DataCheckHook and the skipping loops in a real runner, on broken mp4s."""

import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mmvssm.datasets import (
    BROKEN_KINDS,
    AnnotationError,
    BadVideoError,
    make_faulty_video_set,
)

CONFIG = 'configs/synthetic/r3d-tiny_1xb8-u8-20e_synthetic-motion-rgb.py'


@pytest.fixture(scope='module')
def faulty(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('faulty'))
    ann_file, bad, _ = make_faulty_video_set(root, 2, BROKEN_KINDS)
    return root, ann_file, bad


def make_runner(repo_root, work_dir, root, ann_file, workers=0, **dataset):
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    common = dict(
        type='VideoDataset',
        ann_file=ann_file,
        data_prefix=dict(video=root),
        **dataset,
    )
    for key, pipeline, test_mode in (
        ('train_dataloader', cfg.train_pipeline, False),
        ('val_dataloader', cfg.val_pipeline, True),
        ('test_dataloader', cfg.val_pipeline, True),
    ):
        cfg[key].batch_size = 4
        cfg[key].num_workers = workers
        cfg[key].dataset = dict(common, pipeline=pipeline, test_mode=test_mode)
    cfg.train_cfg.max_epochs = 2
    cfg.train_cfg.val_interval = 10
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = osp.basename(str(work_dir))
    return Runner.from_cfg(cfg)


def log_text(work_dir) -> str:
    (log,) = glob.glob(osp.join(str(work_dir), '*', '*.log'))
    with open(log) as f:
        return f.read()


@pytest.mark.slow
def test_bad_videos_reported_once_counted_per_epoch_and_skipped_in_test(
    faulty, tmp_path, repo_root
):
    root, ann_file, bad = faulty
    work_dir = tmp_path / 'run'
    runner = make_runner(
        repo_root, work_dir, root, ann_file, workers=2, max_bad_ratio=0.5
    )
    runner.train()
    log = log_text(work_dir)
    # Each reported once, with its reason, though replaced in both epochs
    # (and in DataLoader workers that start anew each epoch).
    reported = re.findall(r'bad video skipped .*?: (\S+) \(\w+Error', log)
    assert sorted(reported) == sorted(bad)
    counts = re.findall(
        r'Epoch (\d): (\d+) samples replaced .*?; (\d+) new bad files', log
    )
    # Every bad video is hit once per epoch; a random replacement may itself
    # be a bad video, so an epoch can count more replacements than bad files.
    assert [(e, n) for e, _, n in counts] == [('1', '4'), ('2', '0')], counts
    assert all(int(r) >= len(bad) for _, r, _ in counts), counts

    metrics = runner.test()
    assert 'acc/top1' in metrics
    (listing,) = glob.glob(
        osp.join(str(work_dir), '*', 'skipped_test_samples.txt')
    )
    listed = [line.split(' (')[0] for line in open(listing)]
    assert sorted(listed) == sorted(bad)
    assert '4 of 20 test samples were skipped' in log_text(work_dir)


def test_too_many_bad_videos_stop_the_run(faulty, tmp_path, repo_root):
    root, ann_file, _ = faulty
    runner = make_runner(repo_root, tmp_path / 'run', root, ann_file)
    # 4 of 20 are broken, above the default max_bad_ratio of 0.1.
    with pytest.raises(
        BadVideoError, match=r'of 20 training videos .*max_bad_ratio=0\.1'
    ):
        runner.train()


def test_label_beyond_the_head_stops_before_training(
    faulty, tmp_path, repo_root
):
    root, ann_file, _ = faulty
    lines = [
        line
        for line in open(ann_file).read().splitlines()
        if 'broken' not in line
    ]
    lines[2] = lines[2].split()[0] + ' 9'
    ann = tmp_path / 'ann.txt'
    ann.write_text('\n'.join(lines) + '\n')
    runner = make_runner(repo_root, tmp_path / 'run', root, str(ann))
    with pytest.raises(
        AnnotationError, match=rf'{ann}:3: label 9 .*num_classes=8'
    ):
        runner.train()
