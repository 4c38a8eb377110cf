# Copyright (c) mmvssm contributors. All rights reserved.
"""Feature extraction over a real rendered dataset, both modes."""

import os.path as osp

import decord
import numpy as np
import pytest
import torch
from tiny_configs import run_tool

from mmvssm.apis import init_recognizer


def _index(out_dir):
    with open(osp.join(out_dir, 'features.txt')) as f:
        return [line.split() for line in f]


@pytest.mark.slow
def test_clip_mode(trained, tmp_path, repo_root, python):
    out = str(tmp_path / 'feats')
    result = run_tool(
        repo_root,
        python,
        'tools/misc/extract_features.py',
        trained['config'],
        trained['checkpoint'],
        '--out-dir',
        out,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = _index(out)
    assert len(rows) == 8 and sorted(int(r[1]) for r in rows) == list(range(8))
    arrays = [np.load(osp.join(out, name)) for name, _, _ in rows]
    assert all(a.shape == (64,) for a in arrays)
    assert not np.allclose(arrays[0], arrays[1])


@pytest.mark.slow
def test_long_mode_windows_match_the_backbone(
    trained, tmp_path, repo_root, python
):
    """32-frame videos in windows of 8 every 8: 4 windows, each equal to the
    backbone on those frames decoded and normalised by hand."""
    out = str(tmp_path / 'feats')
    data_root = str(tmp_path / 'long_data')
    result = run_tool(
        repo_root,
        python,
        'tools/misc/extract_features.py',
        trained['config'],
        trained['checkpoint'],
        '--out-dir',
        out,
        '--mode',
        'long',
        '--cfg-options',
        f'test_dataloader.dataset.data_root={data_root}',
        'test_dataloader.dataset.num_frames=32',
    )
    assert result.returncode == 0, result.stderr[-3000:]
    name, label, shape = _index(out)[0]
    assert shape == '4x64'
    array = np.load(osp.join(out, name))
    video = osp.join(data_root, *name[: -len('.npy')].split('__'))
    frames = decord.VideoReader(video).get_batch(range(32)).asnumpy()
    model = init_recognizer(trained['config'], trained['checkpoint'])
    pre = model.data_preprocessor
    clips = torch.from_numpy(frames).float().reshape(4, 8, 64, 64, 3)
    clips = clips.permute(0, 4, 1, 2, 3)  # N C T H W
    mean = pre.mean.view(1, 3, 1, 1, 1)
    std = pre.std.view(1, 3, 1, 1, 1)
    with torch.no_grad():
        expected = model.backbone((clips - mean) / std)
    assert np.allclose(array, expected.numpy(), atol=1e-4)
