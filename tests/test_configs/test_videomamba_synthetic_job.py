# Copyright (c) mmvssm contributors. All rights reserved.
"""The README's main job: tools/train.py on the synthetic VideoMamba config.

The quick start trains this config into ``work_dirs/`` just before the tests
run (CI does exactly that). When such a run exists, finished, of this very
config and newer than every file of the package and the configs, the test
checks its log instead of training the same job a second time; otherwise it
trains it here (about 7 minutes on 2 CPU cores).
"""

import glob
import os
import os.path as osp
import re
import subprocess
from typing import Optional

import pytest
from mmengine.config import Config

CONFIG = osp.join(
    'configs',
    'videomamba',
    'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py',
)
NAME = osp.splitext(osp.basename(CONFIG))[0]
VALIDATIONS = 15  # every 2 of 30 epochs


def _newest_source(repo_root: str) -> float:
    return max(
        osp.getmtime(path)
        for folder in ('mmvssm', 'configs', 'tools')
        for path in glob.glob(
            osp.join(repo_root, folder, '**', '*.py'), recursive=True
        )
    )


def _resolved(path: str) -> dict:
    cfg = Config.fromfile(path).to_dict()
    cfg.pop('work_dir', None)
    return cfg


def quick_start_run(repo_root: str) -> Optional[str]:
    """The work dir of a finished quick-start run of ``CONFIG`` that is
    newer than the code and was trained with the config as it is now."""
    work_dir = osp.join(repo_root, 'work_dirs', NAME)
    dumped = osp.join(work_dir, NAME + '.py')
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))
    if not logs or not osp.isfile(dumped):
        return None
    if osp.getmtime(logs[-1]) < _newest_source(repo_root):
        return None
    if _resolved(dumped) != _resolved(osp.join(repo_root, CONFIG)):
        return None
    return work_dir


def accuracies(work_dir: str) -> list:
    logs = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))
    with open(logs[-1]) as f:
        return [float(a) for a in re.findall(r'acc/top1: ([\d.]+)', f.read())]


@pytest.mark.slow
def test_synthetic_main_job_reaches_90_percent(tmp_path, repo_root, python):
    work_dir = quick_start_run(repo_root)
    if work_dir is None or len(accuracies(work_dir)) != VALIDATIONS:
        work_dir = str(tmp_path)
        env = dict(os.environ, OMP_NUM_THREADS='1')
        proc = subprocess.run(
            [python, 'tools/train.py', CONFIG, '--work-dir', work_dir],
            cwd=repo_root,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
    accs = accuracies(work_dir)
    assert len(accs) == VALIDATIONS, (work_dir, accs)
    assert max(accs) >= 0.90, (work_dir, accs)
    assert accs[-1] >= 0.88, (work_dir, accs)
    assert glob.glob(osp.join(work_dir, 'best_acc_top1_epoch_*.pth'))


def test_a_stale_or_other_run_is_not_reused(tmp_path):
    """Only a run of the current config, newer than the code, counts."""
    root = tmp_path / 'repo'
    (root / 'configs').mkdir(parents=True)
    (root / 'mmvssm').mkdir()
    (root / 'mmvssm' / 'a.py').write_text('x = 1\n')
    config = root / CONFIG
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('lr = 0.1\nmodel = dict(type="M")\n')
    work_dir = root / 'work_dirs' / NAME
    (work_dir / 'run').mkdir(parents=True)
    assert quick_start_run(str(root)) is None  # no run at all
    (work_dir / (NAME + '.py')).write_text(config.read_text())
    log = work_dir / 'run' / 'run.log'
    log.write_text('acc/top1: 0.9500\n')
    assert quick_start_run(str(root)) == str(work_dir)
    # Code newer than the run: train again.
    newer = osp.getmtime(log) + 10
    os.utime(root / 'mmvssm' / 'a.py', (newer, newer))
    assert quick_start_run(str(root)) is None
    os.utime(log, (newer + 10, newer + 10))
    assert quick_start_run(str(root)) == str(work_dir)
    # A run of another version of the config.
    (work_dir / (NAME + '.py')).write_text(
        'lr = 0.2\nmodel = dict(type="M")\n'
    )
    assert quick_start_run(str(root)) is None
