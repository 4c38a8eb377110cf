# Copyright (c) mmvssm contributors. All rights reserved.
"""A tiny real training run shared by the tool tests of one session."""

import os.path as osp

import pytest
from tiny_configs import run_tool, write_tiny_config

MAIN_JOB = osp.join(
    'configs',
    'videomamba',
    'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py',
)


@pytest.fixture(scope='session')
def tiny_main_job(tmp_path_factory, repo_root) -> str:
    """The README main job's config on 1 video per class, 2 epochs."""
    return write_tiny_config(
        tmp_path_factory.mktemp('tiny_main_job'),
        osp.join(repo_root, MAIN_JOB),
        max_epochs=2,
        extra='default_hooks = dict(logger=dict(interval=1), '
        'checkpoint=dict(interval=1, save_best=None))',
    )


@pytest.fixture(scope='session')
def trained(tiny_main_job, tmp_path_factory, repo_root, python) -> dict:
    """A real run of tools/train.py: its work dir and checkpoint."""
    work_dir = str(tmp_path_factory.mktemp('tiny_main_job_work'))
    result = run_tool(
        repo_root,
        python,
        'tools/train.py',
        tiny_main_job,
        '--work-dir',
        work_dir,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(
        config=tiny_main_job,
        work_dir=work_dir,
        checkpoint=osp.join(work_dir, 'epoch_2.pth'),
    )
