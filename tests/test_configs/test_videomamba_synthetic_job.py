# Copyright (c) mmvssm contributors. All rights reserved.
"""The README's main job: tools/train.py on the synthetic VideoMamba config."""

import glob
import os
import os.path as osp
import re
import subprocess

import pytest

CONFIG = osp.join(
    'configs',
    'videomamba',
    'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py',
)


@pytest.mark.slow
def test_synthetic_main_job_reaches_90_percent(tmp_path, repo_root, python):
    """About 7 minutes on 2 CPU cores; renders the dataset on first use."""
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [python, 'tools/train.py', CONFIG, '--work-dir', str(tmp_path)],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (log,) = glob.glob(str(tmp_path / '*' / '*.log'))
    with open(log) as f:
        accs = [float(a) for a in re.findall(r'acc/top1: ([\d.]+)', f.read())]
    assert len(accs) == 15  # validation every 2 of 30 epochs
    assert max(accs) >= 0.90, accs
    assert accs[-1] >= 0.88, accs
    assert glob.glob(str(tmp_path / 'best_acc_top1_epoch_*.pth'))
