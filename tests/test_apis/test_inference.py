# Copyright (c) mmvssm contributors. All rights reserved.
"""Inference on real video files: mmvssm.apis, the inferencers, the demo."""

import os.path as osp
import re
import subprocess

import decord
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmvssm.apis import (
    MMAction2Inferencer,
    inference_recognizer,
    init_recognizer,
    top_k,
)
from mmvssm.datasets.motion_render import SYNTHETIC_MOTION_CLASSES

CONFIG = osp.join(
    'configs',
    'videomamba',
    'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py',
)


@pytest.fixture(scope='module')
def assets(tmp_path_factory, repo_root):
    """A rendered synthetic video and a checkpoint of the main job's model."""
    folder = tmp_path_factory.mktemp('inference')
    config = osp.join(repo_root, CONFIG)
    cfg = Config.fromfile(config)
    dataset_cfg = cfg.val_dataloader.dataset
    dataset_cfg.update(
        data_root=str(folder / 'data'),
        num_videos_per_class=1,
        num_frames=8,
        resolution=64,
        fps=8,
        seed=0,
    )
    from mmvssm.registry import DATASETS

    init_default_scope('mmvssm')
    dataset = DATASETS.build(dataset_cfg)
    video = dataset.get_data_info(0)['filename']
    torch.manual_seed(0)
    model = init_recognizer(config)
    checkpoint = str(folder / 'mini.pth')
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(
                dataset_meta=dict(classes=list(SYNTHETIC_MOTION_CLASSES))
            ),
        ),
        checkpoint,
    )
    return dict(config=config, checkpoint=checkpoint, video=video)


def test_init_and_inference_recognizer(assets):
    model = init_recognizer(assets['config'], assets['checkpoint'])
    assert model.dataset_meta['classes'] == list(SYNTHETIC_MOTION_CLASSES)
    result = inference_recognizer(model, assets['video'])
    scores = result.pred_score.numpy()
    assert scores.shape == (8,) and np.isclose(scores.sum(), 1.0, atol=1e-4)


def test_mmaction2_inferencer_without_scopes(assets):
    model = init_recognizer(assets['config'], assets['checkpoint'])
    expected = inference_recognizer(model, assets['video']).pred_score
    inferencer = MMAction2Inferencer(
        rec=assets['config'], rec_weights=assets['checkpoint']
    )
    predictions = inferencer(assets['video'])['predictions']
    scores = np.asarray(predictions[0]['rec_scores']).reshape(-1)
    assert np.allclose(scores, expected.numpy(), atol=1e-5)


def test_missing_weights_is_one_clear_error(assets, tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        MMAction2Inferencer(
            rec=assets['config'], rec_weights=str(tmp_path / 'none.pth')
        )


def test_top_k_checks_the_label_map():
    assert top_k([0.1, 0.7, 0.2], ['a', 'b', 'c'], 2) == [
        ('b', 0.7),
        ('c', 0.2),
    ]
    with pytest.raises(ValueError, match='names 2 classes'):
        top_k([0.1, 0.7, 0.2], ['a', 'b'])


def run_demo(repo_root, python, *args):
    return subprocess.run(
        [python, 'demo/demo.py', *args],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize('suffix', ['gif', 'mp4'])
def test_demo_prints_top5_and_draws(
    assets, tmp_path, repo_root, python, suffix
):
    out = str(tmp_path / f'out.{suffix}')
    result = run_demo(
        repo_root,
        python,
        assets['video'],
        assets['config'],
        assets['checkpoint'],
        '--out-filename',
        out,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    ranked = re.findall(r'^(\w+): ([0-9.]+)$', result.stdout, re.M)
    assert len(ranked) == 5
    assert all(name in SYNTHETIC_MOTION_CLASSES for name, _ in ranked)
    scores = [float(s) for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    model = init_recognizer(assets['config'], assets['checkpoint'])
    best = inference_recognizer(model, assets['video']).pred_score.argmax()
    assert ranked[0][0] == SYNTHETIC_MOTION_CLASSES[int(best)]
    frames = len(decord.VideoReader(assets['video']))
    if suffix == 'gif':
        from PIL import Image

        with Image.open(out) as gif:
            assert gif.n_frames == frames and gif.size[1] == 256
    else:
        written = decord.VideoReader(out)
        assert len(written) == frames and written[0].shape[0] == 256


def test_demo_errors_are_one_line(assets, tmp_path, repo_root, python):
    labels = tmp_path / 'labels.txt'
    labels.write_text('a\nb\n')
    for args, expected in [
        (
            [
                str(tmp_path / 'none.mp4'),
                assets['config'],
                assets['checkpoint'],
            ],
            'error: video',
        ),
        (
            [
                assets['video'],
                assets['config'],
                assets['checkpoint'],
                '--label-file',
                str(labels),
            ],
            'error: the label file names 2 classes',
        ),
    ]:
        result = run_demo(repo_root, python, *args)
        assert result.returncode == 1
        assert 'Traceback' not in result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith(expected)


def test_demo_takes_a_shipped_label_map(assets, tmp_path, repo_root, python):
    """``--label-file synthetic_motion`` names the classes; a checkpoint
    without dataset meta still prints class names."""
    import torch

    bare = str(tmp_path / 'bare.pth')
    state = torch.load(assets['checkpoint'], weights_only=True)['state_dict']
    torch.save(dict(state_dict=state), bare)
    args = [assets['video'], assets['config'], bare]
    result = run_demo(repo_root, python, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.findall(r'^(\d+): ', result.stdout, re.M)  # label indices
    result = run_demo(
        repo_root, python, *args, '--label-file', 'synthetic_motion'
    )
    assert result.returncode == 0, result.stderr[-3000:]
    ranked = re.findall(r'^(\w+): ([0-9.]+)$', result.stdout, re.M)
    assert len(ranked) == 5
    assert all(name in SYNTHETIC_MOTION_CLASSES for name, _ in ranked)
