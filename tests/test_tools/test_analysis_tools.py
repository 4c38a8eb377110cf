# Copyright (c) mmvssm contributors. All rights reserved.
"""Curves and confusion matrices from a real run's logs and test dump."""

import glob
import os.path as osp
import re

import numpy as np
import pytest
from PIL import Image
from tiny_configs import run_tool

from mmvssm.datasets.motion_render import SYNTHETIC_MOTION_CLASSES

# matplotlib's first line colour (C0), what a drawn curve is made of.
C0 = np.array([31, 119, 180])


def _has_colour(png: str, colour: np.ndarray) -> bool:
    pixels = np.asarray(Image.open(png).convert('RGB')).reshape(-1, 3)
    return bool((np.abs(pixels.astype(int) - colour).sum(1) < 30).any())


@pytest.fixture(scope='module')
def scalars(trained) -> str:
    (path,) = glob.glob(
        osp.join(trained['work_dir'], '*', 'vis_data', 'scalars.json')
    )
    return path


@pytest.mark.slow
def test_plot_curve(scalars, tmp_path, repo_root, python):
    out = str(tmp_path / 'curve.png')
    result = run_tool(
        repo_root,
        python,
        'tools/analysis_tools/analyze_logs.py',
        'plot_curve',
        scalars,
        '--keys',
        'loss',
        'acc/top1',
        '--out',
        out,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert Image.open(out).size == (1200, 700)
    assert _has_colour(out, C0)  # the loss curve is there


@pytest.mark.slow
def test_cal_train_time(scalars, repo_root, python):
    result = run_tool(
        repo_root,
        python,
        'tools/analysis_tools/analyze_logs.py',
        'cal_train_time',
        scalars,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'average iter time' in result.stdout


@pytest.mark.slow
def test_analyze_logs_errors_are_one_line(
    scalars, tmp_path, repo_root, python
):
    bad = tmp_path / 'scalars.json'
    bad.write_text('{"loss": 1}\nnot json\n')
    for args, expected in [
        ([scalars, '--keys', 'nope'], "has no ['nope']; its keys are"),
        ([str(tmp_path / 'x.json')], 'is not a scalars.json file'),
        ([str(bad)], 'scalars.json:2 is not a JSON line'),
    ]:
        result = run_tool(
            repo_root,
            python,
            'tools/analysis_tools/analyze_logs.py',
            'plot_curve',
            *args,
        )
        assert result.returncode == 1 and 'Traceback' not in result.stderr
        assert expected in result.stderr.strip().splitlines()[-1]


@pytest.fixture(scope='module')
def dump(trained, tmp_path_factory, repo_root, python) -> str:
    path = str(tmp_path_factory.mktemp('dump') / 'results.pkl')
    result = run_tool(
        repo_root,
        python,
        'tools/test.py',
        trained['config'],
        trained['checkpoint'],
        '--work-dir',
        trained['work_dir'],
        '--dump',
        path,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return path


@pytest.mark.slow
def test_confusion_matrix(trained, dump, tmp_path, repo_root, python):
    out = str(tmp_path / 'cm.png')
    result = run_tool(
        repo_root,
        python,
        'tools/analysis_tools/confusion_matrix.py',
        trained['config'],
        dump,
        '--out',
        out,
        '--include-values',
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = re.findall(r'^ *(\w+)((?: +\d+){8})$', result.stdout, re.M)
    assert [name for name, _ in rows] == list(SYNTHETIC_MOTION_CLASSES)
    counts = np.array([[int(v) for v in r.split()] for _, r in rows])
    assert counts.sum(1).tolist() == [1] * 8  # one test video per class
    assert Image.open(out).size[0] > 500


@pytest.mark.slow
def test_confusion_matrix_refuses_a_hostile_dump(
    trained, tmp_path, repo_root, python
):
    import pickle

    from hostile_checkpoints import payloads

    marker = str(tmp_path / 'payload_ran')
    path = tmp_path / 'results.pkl'
    path.write_bytes(
        pickle.dumps([{'pred_score': payloads(marker)['eval']}], protocol=2)
    )
    result = run_tool(
        repo_root,
        python,
        'tools/analysis_tools/confusion_matrix.py',
        trained['config'],
        str(path),
    )
    assert result.returncode == 1 and not osp.exists(marker)
    last = result.stderr.strip().splitlines()[-1]
    assert 'refusing to load' in last and "'eval'" in last

    path.write_bytes(pickle.dumps([1], protocol=5))
    result = run_tool(
        repo_root,
        python,
        'tools/analysis_tools/confusion_matrix.py',
        trained['config'],
        str(path),
    )
    assert result.returncode == 1 and 'Traceback' not in result.stderr
    assert 'write it with tools/test.py --dump' in result.stderr


@pytest.mark.slow
def test_show_dir_writes_annotated_clips(trained, tmp_path, repo_root, python):
    show_dir = str(tmp_path / 'vis')
    result = run_tool(
        repo_root,
        python,
        'tools/test.py',
        trained['config'],
        trained['checkpoint'],
        '--work-dir',
        str(tmp_path / 'w'),
        '--show-dir',
        show_dir,
        '--interval',
        '2',
    )
    assert result.returncode == 0, result.stderr[-3000:]
    written = sorted(glob.glob(osp.join(show_dir, '*.gif')))
    assert [osp.basename(p) for p in written] == [
        f'{i:06d}.gif' for i in range(0, 8, 2)
    ]
    with Image.open(written[0]) as gif:
        assert gif.size == (256, 256)
        frame = np.asarray(gif.convert('RGB'))
        total = 0
        for i in range(gif.n_frames):  # Pillow merges equal frames
            gif.seek(i)
            total += gif.info['duration']
    assert total == 8 * 250  # 8 frames at 4 fps
    # the text box: black background with white letters, top left
    box = frame[:20, :100].reshape(-1, 3)
    assert (box.sum(1) == 0).any() and (box.min(1) > 200).any()
