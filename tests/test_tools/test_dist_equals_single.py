# Copyright (c) mmvssm contributors. All rights reserved.
"""2-process CPU (gloo) training equals 1-process training, same batch.

VideoMamba (LayerNorm/RMSNorm only, no BatchNorm), no random augmentation,
no drop path: 1 process with batch 8 and 2 processes with batch 4 each see
the same 8 samples per step (DefaultSampler splits one permutation), and
DDP averages the gradients, so the weights after training must agree to
float tolerance.
"""

import os
import os.path as osp
import socket
import subprocess

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

CONFIG = (
    'configs/videomamba/'
    'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py'
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='module')
def config(tmp_path_factory, repo_root) -> str:
    folder = tmp_path_factory.mktemp('dist_equal')
    render = dict(
        data_root=str(folder / 'data'),
        num_frames=8,
        resolution=32,
        fps=8,
        seed=0,
    )
    path = folder / 'dist_equal.py'
    path.write_text(
        f"""
_base_ = [{osp.join(repo_root, CONFIG)!r}]
render = {render!r}
model = dict(backbone=dict(img_size=32, drop_path_rate=0.0))
pipeline = [
    dict(t, scale=(-1, 32)) if t.type == 'Resize'
    else dict(t, crop_size=32) if t.type == 'CenterCrop' else t
    for t in _base_.val_pipeline]
train_dataloader = dict(
    batch_size=8, num_workers=0,
    dataset=dict(num_videos_per_class=2, pipeline=pipeline, **render))
val_dataloader = None
val_cfg = None
val_evaluator = None
train_cfg = dict(max_epochs=2, val_interval=10)
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True)]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=2, max_keep_ckpts=1, save_best=None))
"""
    )
    return str(path)


def train(cmd, cwd, python):
    result = subprocess.run(
        cmd,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={
            **os.environ,
            'PORT': str(free_port()),
            'PYTHON': python,
            'PYTHONUNBUFFERED': '1',
        },
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return log


@pytest.mark.slow
def test_two_gloo_processes_equal_one(config, tmp_path, repo_root, python):
    single = str(tmp_path / 'single')
    train(
        [python, 'tools/train.py', config, '--work-dir', single],
        repo_root,
        python,
    )
    double = str(tmp_path / 'double')
    log = train(
        [
            'bash',
            'tools/dist_train.sh',
            config,
            '2',
            '--work-dir',
            double,
            '--cfg-options',
            'train_dataloader.batch_size=4',
        ],
        repo_root,
        python,
    )
    assert 'Distributed training: True' in log
    a = _load_checkpoint(osp.join(single, 'epoch_2.pth'), 'cpu')
    b = _load_checkpoint(osp.join(double, 'epoch_2.pth'), 'cpu')
    assert a['meta']['iter'] == b['meta']['iter'] == 4
    worst = 0.0
    for key, value in a['state_dict'].items():
        other = b['state_dict'][key]
        if value.is_floating_point():
            worst = max(worst, float((value - other).abs().max()))
            torch.testing.assert_close(other, value, rtol=1e-4, atol=1e-5)
    print(f'largest weight difference after 4 steps: {worst:.3g}')
