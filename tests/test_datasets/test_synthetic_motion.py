# Copyright (c) mmvssm contributors. All rights reserved.
import dataclasses
import json
import multiprocessing
import os
import os.path as osp
import socket
import time
from collections import Counter

import cv2
import decord
import numpy as np
import pytest
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmvssm.datasets import (
    SYNTHETIC_MOTION_CLASSES,
    SyntheticMotionDataset,
    render_motion_clip,
    reversal_partner,
    sample_motion_clip,
    synthetic_motion_clips,
)
from mmvssm.registry import DATASETS

# Small enough to render, decode and classify in a few seconds on 2 cores.
TINY = dict(num_frames=12, resolution=40, fps=8, seed=0)
PAIR = ['moving_left', 'moving_right']


def decode(path: str) -> np.ndarray:
    """All frames of a video, RGB uint8 ``(T, H, W, 3)``."""
    reader = decord.VideoReader(path)
    return reader.get_batch(list(range(len(reader)))).asnumpy()


def load_split(dataset: SyntheticMotionDataset):
    videos = [decode(info['filename']) for info in dataset.load_data_list()]
    labels = [info['label'] for info in dataset.load_data_list()]
    return np.stack(videos).astype(np.float32), np.array(labels)


@pytest.fixture(scope='module')
def rendered(tmp_path_factory):
    """A tiny train (10 per class) and val (6 per class) render."""
    root = str(tmp_path_factory.mktemp('synthetic_motion'))
    train = SyntheticMotionDataset(
        pipeline=[], data_root=root, num_videos_per_class=10, **TINY
    )
    val = SyntheticMotionDataset(
        pipeline=[],
        data_root=root,
        split='val',
        num_videos_per_class=6,
        test_mode=True,
        **TINY,
    )
    return root, train, val


def test_annotation_file_and_layout(rendered):
    root, train, _ = rendered
    ann = osp.join(root, 'synthetic_motion_train_list_videos.txt')
    lines = [line.split() for line in open(ann).read().splitlines()]
    assert len(lines) == len(train) == 80
    for path, label in lines:
        split, name, file = path.split('/')
        assert split == 'train' and file.startswith(name)
        assert SYNTHETIC_MOTION_CLASSES.index(name) == int(label)
        assert osp.isfile(osp.join(root, path))
    assert Counter(int(label) for _, label in lines) == dict.fromkeys(
        range(8), 10
    )
    assert train.metainfo['classes'] == SYNTHETIC_MOTION_CLASSES
    with open(osp.join(root, 'synthetic_motion_train_params.json')) as f:
        assert json.load(f) == train.render_params
    # Nothing half-written is left behind.
    leftovers = [
        file
        for _, _, files in os.walk(root)
        for file in files
        if file.startswith('.') or file.endswith('.tmp')
    ]
    assert leftovers == []
    umask = os.umask(0)
    os.umask(umask)
    for file in (ann, osp.join(root, lines[0][0])):
        assert os.stat(file).st_mode & 0o777 == 0o666 & ~umask


def test_real_mmaction_pipeline(rendered):
    root, _, _ = rendered
    pipeline = [
        dict(type='DecordInit'),
        dict(type='UniformSample', clip_len=8, num_clips=1, test_mode=True),
        dict(type='DecordDecode'),
        dict(type='Resize', scale=(-1, 32)),
        dict(type='CenterCrop', crop_size=32),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]
    with DefaultScope.overwrite_default_scope('mmvssm'):
        val = DATASETS.build(
            dict(
                type='SyntheticMotionDataset',
                data_root=root,
                split='val',
                num_videos_per_class=6,
                pipeline=pipeline,
                test_mode=True,
                **TINY,
            )
        )
    assert isinstance(val, SyntheticMotionDataset) and len(val) == 48
    for index in (0, 17, 47):
        sample = val[index]
        assert sample['inputs'].shape == (1, 3, 8, 32, 32)
        assert str(sample['inputs'].dtype) == 'torch.uint8'
        assert int(sample['data_samples'].gt_label) == index // 6


def test_videos_hold_the_specified_clips(rendered):
    root, train, _ = rendered
    clips = synthetic_motion_clips(train.render_params)
    for path, label, spec in clips[::23]:
        reader = decord.VideoReader(osp.join(root, path))
        assert len(reader) == 12 and reader.get_avg_fps() == 8
        assert SYNTHETIC_MOTION_CLASSES[label] == spec.motion
        frames = reader.get_batch(list(range(12))).asnumpy().astype(float)
        expected = render_motion_clip(spec).astype(float)
        # Lossy mp4v (it smooths the pixel noise away), frames in order.
        assert np.abs(frames - expected).mean() < 8
        errors = np.abs(frames[:, None] - expected[None]).mean((2, 3, 4))
        np.testing.assert_array_equal(errors.argmin(1), np.arange(12))


def _small(root: str, **kwargs) -> SyntheticMotionDataset:
    args = dict(
        pipeline=[],
        data_root=root,
        classes=PAIR,
        num_videos_per_class=3,
        num_frames=8,
        resolution=32,
    )
    return SyntheticMotionDataset(**{**args, **kwargs})


def _render_pair(root: str, seed: int) -> np.ndarray:
    return load_split(_small(root, num_videos_per_class=2, seed=seed))[0]


def test_same_seed_same_pixels(tmp_path):
    first = _render_pair(str(tmp_path / 'a'), seed=3)
    again = _render_pair(str(tmp_path / 'b'), seed=3)
    other = _render_pair(str(tmp_path / 'c'), seed=4)
    assert first.shape == (4, 8, 32, 32, 3)
    np.testing.assert_array_equal(first, again)
    assert np.abs(first - other).mean() > 10


@pytest.mark.parametrize('motion', SYNTHETIC_MOTION_CLASSES)
def test_time_reversal_gives_the_partner_class(motion):
    spec = sample_motion_clip(motion, np.random.default_rng(7), 10, 40, 56)
    reversed_spec = spec.time_reversed()
    assert reversed_spec.motion == reversal_partner(motion) != motion
    assert reversed_spec.time_reversed() == spec
    # Exact, pixel for pixel.
    np.testing.assert_array_equal(
        render_motion_clip(spec)[::-1], render_motion_clip(reversed_spec)
    )
    # The partner draws the same nuisance parameters from the same state,
    # so a clip and its reversal are equally likely.
    partner = sample_motion_clip(
        reversal_partner(motion), np.random.default_rng(7), 10, 40, 56
    )
    assert partner == dataclasses.replace(spec, motion=partner.motion)


def _trend(values) -> float:
    return float(np.polyfit(np.arange(len(values)), values, 1)[0])


@pytest.mark.parametrize('seed', [0, 1])
def test_class_names_match_the_motion(seed):
    """Measure the object on the rendered frames: the name tells the truth."""
    for motion in SYNTHETIC_MOTION_CLASSES:
        spec = sample_motion_clip(
            motion, np.random.default_rng(seed), 12, 64, 64
        )
        xs, ys, areas, turns = [], [], [], []
        for frame in render_motion_clip(spec):
            dot = np.all(frame == spec.accent, -1)
            body = np.all(frame == spec.colour, -1)
            by, bx = np.nonzero(body)
            # The dot lies inside the body's box; the dark background
            # elsewhere may match its colour by chance.
            box = np.zeros_like(dot)
            box[by.min() : by.max() + 1, bx.min() : bx.max() + 1] = True
            dy, dx = np.nonzero(dot & box)
            body |= dot & box
            by, bx = np.nonzero(body)
            xs.append(bx.mean())
            ys.append(by.mean())
            areas.append(body.sum())
            turns.append(np.arctan2(dy.mean() - ys[-1], dx.mean() - xs[-1]))
        turns = np.unwrap(turns)  # y points down: growing angle = clockwise
        expected = {
            'moving_left': _trend(xs) < -1,
            'moving_right': _trend(xs) > 1,
            'moving_up': _trend(ys) < -1,
            'moving_down': _trend(ys) > 1,
            'approaching': _trend(areas) > 5,
            'receding': _trend(areas) < -5,
            'rotating_clockwise': _trend(turns) > 0.05,
            'rotating_counterclockwise': _trend(turns) < -0.05,
        }
        assert expected[motion], motion


def _nearest_centroid(train_x, train_y, test_x) -> np.ndarray:
    mean, std = train_x.mean(0), train_x.std(0) + 1e-6
    train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
    centroids = np.stack([train_x[train_y == k].mean(0) for k in range(8)])
    distances = ((test_x[:, None] - centroids[None]) ** 2).sum(-1)
    return distances.argmin(1)


def _motion_features(video: np.ndarray) -> np.ndarray:
    """Velocity, divergence and curl of the optical flow, time-averaged."""
    video = video.astype(np.uint8)
    grey = [cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) for frame in video]
    ys, xs = np.mgrid[0 : grey[0].shape[0], 0 : grey[0].shape[1]]
    features = []
    for before, after in zip(grey[:-1], grey[1:]):
        flow = cv2.calcOpticalFlowFarneback(
            before, after, None, 0.5, 2, 9, 3, 5, 1.1, 0
        )
        weight = np.hypot(flow[..., 0], flow[..., 1]) + 1e-6
        total = weight.sum()
        dx = xs - (weight * xs).sum() / total
        dy = ys - (weight * ys).sum() / total
        spread = (weight * (dx**2 + dy**2)).sum()
        features.append(
            [
                (weight * flow[..., 0]).sum() / total,
                (weight * flow[..., 1]).sum() / total,
                (weight * (dx * flow[..., 0] + dy * flow[..., 1])).sum()
                / spread,
                (weight * (dx * flow[..., 1] - dy * flow[..., 0])).sum()
                / spread,
            ]
        )
    return np.mean(features, 0)


def test_frame_averages_are_at_chance_but_motion_is_not(rendered):
    _, train, val = rendered
    train_x, train_y = load_split(train)
    val_x, val_y = load_split(val)

    # Video i of a class is video i of its partner played backwards: the
    # frame averages agree up to compression noise.
    means = val_x.mean(1)
    partners = np.abs(means[val_y % 2 == 0] - means[val_y % 2 == 1])
    others = np.abs(means[val_y % 2 == 0] - means[val_y % 2 == 0][::-1])
    assert partners.mean() < 0.1 * others.mean()

    # Averaging frames: the motion type may show, the direction never does.
    predicted = _nearest_centroid(
        train_x.mean(1).reshape(len(train_x), -1),
        train_y,
        val_x.mean(1).reshape(len(val_x), -1),
    )
    right_pair = predicted // 2 == val_y // 2
    direction_accuracy = (predicted == val_y)[right_pair].mean()
    assert right_pair.sum() >= 6
    assert 0.3 <= direction_accuracy <= 0.7
    assert (predicted == val_y).mean() <= 0.55

    # A 4-number temporal feature separates all 8 classes.
    predicted = _nearest_centroid(
        np.stack([_motion_features(v) for v in train_x]),
        train_y,
        np.stack([_motion_features(v) for v in val_x]),
    )
    assert (predicted == val_y).mean() >= 0.85


def test_dataset_base_config_builds_loaders(repo_root, tmp_path):
    cfg = Config.fromfile(
        osp.join(repo_root, 'configs/_base_/datasets/synthetic_motion.py')
    )
    assert cfg.val_evaluator.type == 'AccMetric'
    for split in ('train', 'val', 'test'):
        loader_cfg = cfg[f'{split}_dataloader']
        assert all(t['type'] != 'Flip' for t in loader_cfg.dataset.pipeline)
        loader_cfg.dataset.update(
            data_root=str(tmp_path), num_videos_per_class=1, num_frames=10
        )
        loader_cfg.update(num_workers=0, batch_size=4)
        with DefaultScope.overwrite_default_scope('mmvssm'):
            loader = Runner.build_dataloader(loader_cfg)
        batch = next(iter(loader))
        assert len(loader.dataset) == 8
        assert loader.dataset.metainfo['classes'] == SYNTHETIC_MOTION_CLASSES
        assert [tuple(x.shape) for x in batch['inputs']] == [
            (1, 3, 8, 64, 64)
        ] * 4


def test_stale_or_damaged_cache_is_rendered_again(tmp_path):
    root = str(tmp_path)
    video = osp.join(root, 'train/moving_left/moving_left_0000.mp4')
    params = osp.join(root, 'synthetic_motion_train_params.json')
    _small(root)
    stamp = os.stat(video).st_mtime_ns

    _small(root)  # same parameters: served from the cache
    assert os.stat(video).st_mtime_ns == stamp

    _small(root, num_frames=10)  # changed parameters: rendered again
    assert len(decord.VideoReader(video)) == 10
    with open(params) as f:
        assert json.load(f)['num_frames'] == 10

    dataset = _small(root, num_frames=10, num_videos_per_class=2)
    assert len(dataset) == 4
    assert not osp.exists(video.replace('_0000', '_0002'))  # stale file gone

    # A damaged cache: a truncated video, a stray temp file, no params file.
    with open(video, 'r+b') as f:
        f.truncate(100)
    stray = osp.join(osp.dirname(video), '.moving_left_0000.mp4.x.tmp.mp4')
    open(stray, 'wb').close()
    os.remove(params)
    _small(root, num_frames=10, num_videos_per_class=2)
    assert len(decord.VideoReader(video)) == 10
    assert not osp.exists(stray)

    os.remove(video)  # a missing video
    _small(root, num_frames=10, num_videos_per_class=2)
    assert len(decord.VideoReader(video)) == 10


def _render_many(root: str) -> None:
    SyntheticMotionDataset(
        pipeline=[], data_root=root, num_videos_per_class=40, **TINY
    )


def test_killed_render_leaves_no_complete_looking_file(tmp_path):
    root = str(tmp_path)
    folder = osp.join(root, 'train', 'moving_left')
    worker = multiprocessing.get_context('fork').Process(
        target=_render_many, args=(root,)
    )
    worker.start()
    deadline = time.time() + 60
    while time.time() < deadline and worker.is_alive():
        if osp.isdir(folder) and len(os.listdir(folder)) >= 5:
            break
        time.sleep(0.005)
    worker.kill()
    worker.join()
    assert worker.exitcode != 0, 'the render ended before it was killed'
    assert not osp.exists(osp.join(root, 'synthetic_motion_train_params.json'))
    for file in os.listdir(folder):
        if not file.startswith('.'):  # every final name is a whole video
            assert len(decord.VideoReader(osp.join(folder, file))) == 12
    dataset = SyntheticMotionDataset(
        pipeline=[], data_root=root, num_videos_per_class=40, **TINY
    )
    assert len(dataset) == 320
    assert not [f for f in os.listdir(folder) if f.startswith('.')]


@pytest.mark.parametrize(
    'kwargs, error, message',
    [
        (dict(split='training'), ValueError, 'split must be one of'),
        (dict(num_videos_per_class=0), ValueError, 'num_videos_per_class'),
        (dict(num_videos_per_class=2.5), TypeError, 'must be an int'),
        (dict(num_frames=1), ValueError, 'num_frames must be >= 2'),
        (dict(resolution=(16, 64)), ValueError, 'at least 32 pixels'),
        (dict(resolution=(64, 33)), ValueError, 'must be even'),
        (dict(resolution=(64,)), TypeError, r'\(height, width\)'),
        (dict(fps=0), ValueError, 'fps must be a positive number'),
        (dict(seed=-1), ValueError, 'seed must be >= 0'),
        (dict(classes=['moving_sideways']), ValueError, 'unknown'),
        (dict(classes=['moving_left']), ValueError, r"add \['moving_right'"),
        (dict(classes=PAIR + PAIR[:1]), ValueError, 'without repeats'),
        (dict(classes='moving_left'), TypeError, 'list of class names'),
        (dict(ann_file='a.txt'), ValueError, 'sets ann_file itself'),
        (dict(metainfo=dict(classes=('a', 'b'))), ValueError, 'must match'),
        (dict(data_root=''), ValueError, 'data_root must be a folder'),
    ],
)
def test_bad_arguments_fail_clearly(tmp_path, kwargs, error, message):
    args = dict(pipeline=[], data_root=str(tmp_path / 'data'))
    with pytest.raises(error, match=message) as info:
        SyntheticMotionDataset(**{**args, **kwargs})
    assert '\n' not in str(info.value)
    assert not osp.exists(tmp_path / 'data')  # failed before rendering


@pytest.mark.skipif(decord.__version__ != '0.6.0', reason='a decord 0.6.0 bug')
def test_width_decord_cannot_read_fails_clearly(tmp_path):
    with pytest.raises(RuntimeError, match='decord cannot decode the 48x32'):
        _small(str(tmp_path), resolution=(32, 48))
    assert not osp.exists(tmp_path / 'synthetic_motion_train_params.json')


def _distributed_worker(rank: int, port: int, root: str, queue) -> None:
    torch_dist.init_process_group(
        'gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=2
    )
    try:
        # A file where the folder should be: rank 0 fails, rank 1 must hear
        # about it instead of waiting forever.
        blocker = osp.join(root, 'blocker')
        if rank == 0:
            open(blocker, 'w').close()
        torch_dist.barrier()
        try:
            _small(blocker)
            failure = None
        except Exception as exc:
            failure = f'{type(exc).__name__}: {exc}'
        dataset = _small(osp.join(root, 'data'))
        files = [info['filename'] for info in dataset.load_data_list()]
        queue.put((rank, failure, files))
    finally:
        torch_dist.destroy_process_group()


def test_distributed_rank0_renders_and_others_wait(tmp_path):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    context = multiprocessing.get_context('fork')
    queue = context.Queue()
    workers = [
        context.Process(
            target=_distributed_worker, args=(rank, port, str(tmp_path), queue)
        )
        for rank in range(2)
    ]
    for worker in workers:
        worker.start()
    results = dict()
    for _ in workers:
        rank, failure, files = queue.get(timeout=120)
        results[rank] = (failure, files)
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert results[0][0] is not None
    assert results[1][0].startswith('RuntimeError: rank 0 failed to render')
    assert results[0][1] == results[1][1] and len(results[1][1]) == 6
    assert all(osp.isfile(path) for path in results[1][1])
