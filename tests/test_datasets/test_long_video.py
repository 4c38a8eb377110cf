# Copyright (c) mmvssm contributors. All rights reserved.
"""Long-video datasets, converters and 64-frame sampling of long clips."""

import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine.config import Config

from mmvssm.datasets.motion_render import write_mp4

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG64 = osp.join(
    REPO,
    'configs/videomamba_long/videomamba-tiny_k400-f64-pre_16xb16-u64-70e_breakfast-rgb.py',
)


def _video(path, frames, size=32):
    rng = np.random.default_rng(0)
    data = rng.integers(0, 255, (frames, size, size, 3), dtype=np.uint8)
    data[:, :4, :4] = np.arange(frames)[:, None, None, None] % 255
    path.parent.mkdir(parents=True, exist_ok=True)
    write_mp4(str(path), data, 8)


def test_long_clip_sampled_to_64_frames(tmp_path):
    from mmengine.registry import init_default_scope

    from mmvssm.registry import DATASETS

    init_default_scope('mmvssm')
    _video(tmp_path / 'v' / 'P03_cam01_P03_coffee.mp4', 256)
    (tmp_path / 'list.txt').write_text('P03_cam01_P03_coffee.mp4 1\n')
    cfg = Config.fromfile(CFG64)
    for pipeline, views in ((cfg.train_pipeline, 1), (cfg.test_pipeline, 12)):
        ds = DATASETS.build(
            dict(
                type='BreakfastDataset',
                ann_file=str(tmp_path / 'list.txt'),
                data_prefix=dict(video=str(tmp_path / 'v')),
                pipeline=pipeline,
                test_mode=views > 1,
            )
        )
        if views > 1:  # full test views are big: check the sampling only
            ds.pipeline.transforms = ds.pipeline.transforms[:2]
            info = ds[0]
            inds = info['frame_inds']
            assert info['total_frames'] == 256
            assert len(inds) == 4 * 64 and inds.max() <= 255
            continue
        out = ds[0]
        assert tuple(out['inputs'].shape) == (1, 3, 64, 224, 224)
        assert out['data_samples'].gt_label.item() == 1
    with pytest.raises(Exception, match='label 10'):
        (tmp_path / 'bad.txt').write_text('P03_cam01_P03_coffee.mp4 10\n')
        DATASETS.build(
            dict(
                type='BreakfastDataset',
                ann_file=str(tmp_path / 'bad.txt'),
                pipeline=[],
            )
        )
    with pytest.raises(ValueError, match='classification task'):
        DATASETS.build(
            dict(
                type='LVUDataset',
                task='like',
                ann_file=str(tmp_path / 'list.txt'),
                pipeline=[],
            )
        )


def _run(*args):
    return subprocess.run(
        [sys.executable, 'tools/data/prepare_annotations.py', *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _list(path):
    with open(path) as f:
        return sorted(line.split() for line in f)


def test_converters(tmp_path):
    videos, out = tmp_path / 'videos', tmp_path / 'out'
    for name in (
        'P03_cam01_P03_tea',
        'P20_webcam02_P20_pancake',
        'abc',
        'xyz',
    ):
        _video(videos / f'{name}.mp4', 4)
    # Breakfast: from the video names (abc/xyz are not Breakfast videos)
    bf = tmp_path / 'bf'
    for name in ('P03_cam01_P03_tea', 'P20_webcam02_P20_pancake'):
        _video(bf / f'{name}.mp4', 4)
    r = _run(
        'breakfast',
        '--ann-dir',
        str(bf),
        '--video-dir',
        str(bf),
        '--out-dir',
        str(out),
    )
    assert r.returncode == 0, r.stderr
    assert _list(out / 'breakfast_test_split_1_videos.txt') == [
        ['P03_cam01_P03_tea.mp4', '9']
    ]
    assert _list(out / 'breakfast_train_split_1_videos.txt') == [
        ['P20_webcam02_P20_pancake.mp4', '5']
    ]
    # COIN
    ann = tmp_path / 'coin'
    ann.mkdir()
    db = dict(
        abc=dict(recipe_type=7, subset='training'),
        xyz=dict(recipe_type=179, subset='testing'),
    )
    (ann / 'COIN.json').write_text(json.dumps(dict(database=db)))
    r = _run(
        'coin',
        '--ann-dir',
        str(ann),
        '--video-dir',
        str(videos),
        '--out-dir',
        str(out),
    )
    assert r.returncode == 0, r.stderr
    assert _list(out / 'coin_train_list_videos.txt') == [['abc.mp4', '7']]
    assert _list(out / 'coin_test_list_videos.txt') == [['xyz.mp4', '179']]
    db['xyz']['recipe_type'] = 180
    (ann / 'COIN.json').write_text(json.dumps(dict(database=db)))
    r = _run(
        'coin',
        '--ann-dir',
        str(ann),
        '--video-dir',
        str(videos),
        '--out-dir',
        str(out),
    )
    assert (
        r.returncode != 0 and 'xyz' in r.stderr and 'Traceback' not in r.stderr
    )
    # LVU
    lvu = tmp_path / 'lvu' / 'relationship'
    lvu.mkdir(parents=True)
    for split in ('train', 'val', 'test'):
        (lvu / f'{split}.csv').write_text(
            'relationship ytid imdbid\n3 abc tt1\n0 xyz tt2\n'
        )
    r = _run(
        'lvu',
        '--ann-dir',
        str(lvu.parent),
        '--video-dir',
        str(videos),
        '--out-dir',
        str(out),
    )
    assert r.returncode == 0, r.stderr
    assert _list(out / 'lvu_relationship_val_list_videos.txt') == [
        ['abc.mp4', '3'],
        ['xyz.mp4', '0'],
    ]
    (lvu / 'val.csv').write_text('h\n4 abc tt1\n')
    r = _run(
        'lvu',
        '--ann-dir',
        str(lvu.parent),
        '--video-dir',
        str(videos),
        '--out-dir',
        str(out),
    )
    assert (
        r.returncode != 0
        and 'val.csv:2' in r.stderr
        and 'Traceback' not in r.stderr
    )
