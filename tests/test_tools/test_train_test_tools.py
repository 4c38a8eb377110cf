# Copyright (c) mmvssm contributors. All rights reserved.
"""End to end: the real tools, runner, decord pipeline and checkpoints.

A tiny synthetic set (rendered once per module into a temporary folder)
trains the small 3D CNN config: 2 epochs, a resume to 3 that continues from
epoch 2, a test of the final checkpoint, and a 2-process torchrun run on CPU.
"""

import os
import os.path as osp
import re
import socket
import subprocess

import pytest

CONFIG = 'configs/synthetic/r3d-tiny_1xb8-u8-20e_synthetic-motion-rgb.py'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def tiny_config(tmp_path_factory, repo_root) -> str:
    """The config, shrunk: 2 videos per class, 8 frames of 32x32."""
    folder = tmp_path_factory.mktemp('tiny_synthetic')
    data_root = str(folder / 'data')
    render = dict(
        data_root=data_root, num_frames=8, resolution=32, fps=8, seed=0
    )
    path = folder / 'tiny.py'
    path.write_text(
        f"""
_base_ = [{osp.join(repo_root, CONFIG)!r}]
render = {render!r}
train_dataloader = dict(
    batch_size=4, num_workers=0,
    dataset=dict(num_videos_per_class=2, **render))
val_dataloader = dict(
    batch_size=4, num_workers=0,
    dataset=dict(num_videos_per_class=1, **render))
test_dataloader = dict(
    batch_size=4, num_workers=0,
    dataset=dict(num_videos_per_class=1, **render))
train_cfg = dict(max_epochs=2, val_interval=1)
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=1, max_keep_ckpts=5))
"""
    )
    return str(path)


def run_tool(args, cwd, timeout=600) -> str:
    result = subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, 'PYTHONUNBUFFERED': '1'},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def train_epochs(log: str) -> list:
    """The epochs the log shows training iterations of."""
    return sorted(
        {int(e) for e in re.findall(r'Epoch\(train\) +\[(\d+)\]', log)}
    )


@pytest.mark.slow
def test_train_resume_then_test(tiny_config, tmp_path, repo_root, python):
    work_dir = str(tmp_path / 'work')
    log = run_tool(
        [python, 'tools/train.py', tiny_config, '--work-dir', work_dir],
        repo_root,
    )
    assert train_epochs(log) == [1, 2]
    assert 'acc/top1' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))

    # --resume: the latest checkpoint of the work dir, then epoch 3 only.
    log = run_tool(
        [
            python,
            'tools/train.py',
            tiny_config,
            '--work-dir',
            work_dir,
            '--resume',
            '--cfg-options',
            'train_cfg.max_epochs=3',
        ],
        repo_root,
    )
    assert re.search(r'resumed epoch: 2, iter: \d+', log), log[-3000:]
    assert train_epochs(log) == [3]
    checkpoint = osp.join(work_dir, 'epoch_3.pth')
    assert osp.isfile(checkpoint)

    log = run_tool(
        [
            python,
            'tools/test.py',
            tiny_config,
            checkpoint,
            '--work-dir',
            work_dir,
            '--dump',
            str(tmp_path / 'predictions.pkl'),
        ],
        repo_root,
    )
    top1 = re.search(r'acc/top1: ([0-9.]+)', log)
    assert top1 is not None, log[-3000:]
    assert 0.0 <= float(top1.group(1)) <= 1.0
    assert osp.isfile(tmp_path / 'predictions.pkl')


@pytest.mark.slow
def test_dist_train_two_processes_on_cpu(
    tiny_config, tmp_path, repo_root, python
):
    work_dir = str(tmp_path / 'work')
    env = {
        **os.environ,
        'PORT': str(free_port()),
        'PYTHON': python,
        'PYTHONUNBUFFERED': '1',
    }
    result = subprocess.run(
        [
            'bash',
            'tools/dist_train.sh',
            tiny_config,
            '2',
            '--work-dir',
            work_dir,
            '--cfg-options',
            'train_cfg.max_epochs=1',
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log
    assert re.search(r'GPU number: 2|world_size: 2', log), log[-3000:]
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))


def test_train_reports_missing_config(repo_root, python):
    result = subprocess.run(
        [python, 'tools/train.py', 'configs/no_such_config.py'],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith('error: config file') and 'Traceback' not in (
        result.stderr
    )


def test_test_reports_missing_checkpoint(repo_root, python):
    result = subprocess.run(
        [python, 'tools/test.py', CONFIG, 'work_dirs/none/epoch_9.pth'],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "error: checkpoint 'work_dirs/none/epoch_9.pth' does not exist"
        )
    )
