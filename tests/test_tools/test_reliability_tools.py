# Copyright (c) mmvssm contributors. All rights reserved.
"""The tools on broken data and misused flags: one-line errors, real files."""

import os
import os.path as osp
import subprocess

import pytest
import torch

from mmvssm.datasets import BROKEN_KINDS, make_faulty_video_set

CONFIG = 'configs/synthetic/r3d-tiny_1xb8-u8-20e_synthetic-motion-rgb.py'


@pytest.fixture(scope='module')
def faulty(tmp_path_factory, repo_root):
    """A config on 16 real mp4s plus one broken file of each kind."""
    folder = tmp_path_factory.mktemp('faulty_tools')
    root = str(folder / 'data')
    ann_file, bad, _ = make_faulty_video_set(root, 2, BROKEN_KINDS)
    config = folder / 'faulty.py'
    config.write_text(
        f"""
_base_ = [{osp.join(repo_root, CONFIG)!r}]
_data = dict(_delete_=True, type='VideoDataset', ann_file={ann_file!r},
             data_prefix=dict(video={root!r}))
train_dataloader = dict(batch_size=4, num_workers=0,
    dataset=dict(pipeline={{{{_base_.train_pipeline}}}}, **_data))
val_dataloader = dict(batch_size=4, num_workers=0,
    dataset=dict(pipeline={{{{_base_.val_pipeline}}}}, test_mode=True,
                 **_data))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1)
"""
    )
    return str(config), root, ann_file, bad


def run_tool(python, repo_root, *args):
    result = subprocess.run(
        [python, *args],
        cwd=repo_root,
        capture_output=True,
        text=True,
        errors='replace',
        timeout=600,
        env={**os.environ, 'PYTHONUNBUFFERED': '1'},
    )
    return result.returncode, result.stdout, result.stderr


def last_line(stderr: str) -> str:
    assert 'Traceback' not in stderr, stderr[-3000:]
    return stderr.strip().splitlines()[-1]


def test_check_dataset_lists_every_bad_file(
    faulty, tmp_path, python, repo_root
):
    config, _, _, bad = faulty
    out = tmp_path / 'bad.txt'
    rc, stdout, _ = run_tool(
        python,
        repo_root,
        'tools/misc/check_dataset.py',
        config,
        '--workers',
        '2',
        '--out',
        str(out),
    )
    assert rc == 1
    assert 'train: 4 of 20 videos unreadable' in stdout
    listed = [line.split('\t')[0] for line in out.read_text().splitlines()]
    assert sorted(listed) == sorted(bad)


def test_strict_data_stops_at_the_first_bad_file(
    faulty, tmp_path, python, repo_root
):
    config, _, _, bad = faulty
    rc, _, stderr = run_tool(
        python,
        repo_root,
        'tools/train.py',
        config,
        '--work-dir',
        str(tmp_path),
        '--strict-data',
    )
    assert rc == 1
    line = last_line(stderr)
    assert line.startswith('error: unreadable video ')
    assert any(path in line for path in bad), line


def test_bad_annotation_line_is_one_line_error(
    faulty, tmp_path, python, repo_root
):
    config, root, ann_file, _ = faulty
    ann = tmp_path / 'ann.txt'
    lines = open(ann_file).read().splitlines()
    lines[6] = lines[6].split()[0] + ' 8x'
    ann.write_text('\n'.join(lines) + '\n')
    rc, _, stderr = run_tool(
        python,
        repo_root,
        'tools/test.py',
        config,
        __file__,  # any existing file: the dataset fails first
        '--work-dir',
        str(tmp_path),
        '--cfg-options',
        f'test_dataloader.dataset.ann_file={ann}',
    )
    assert rc == 1
    assert last_line(stderr) == (
        f'error: {ann}:7: a label that is not an integer in '
        f'{lines[6]!r}; fix or remove the line'
    )


def test_resume_to_missing_file_is_an_error(tmp_path, python, repo_root):
    rc, _, stderr = run_tool(
        python,
        repo_root,
        'tools/train.py',
        CONFIG,
        '--work-dir',
        str(tmp_path),
        '--resume',
        str(tmp_path / 'epoch_3.pth'),
    )
    assert rc == 1
    assert last_line(stderr).startswith('error: --resume ')


def test_first_launch_with_resume_uses_load_from(
    faulty, tmp_path, python, repo_root
):
    # A checkpoint of another model as load_from: that it is refused shows
    # that --resume without a checkpoint yet kept load_from.
    import torchvision

    other = tmp_path / 'resnet18.pth'
    torch.save(torchvision.models.resnet18().state_dict(), other)
    config = faulty[0]
    rc, stdout, stderr = run_tool(
        python,
        repo_root,
        'tools/train.py',
        config,
        '--work-dir',
        str(tmp_path / 'work'),
        '--resume',
        '--cfg-options',
        f'load_from={other}',
    )
    assert rc == 1
    assert 'first launch: starting from load_from=' in stdout + stderr
    line = last_line(stderr)
    assert line.startswith(f'error: {other} matches none of the model')
