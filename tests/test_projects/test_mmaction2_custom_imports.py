# Copyright (c) mmvssm contributors. All rights reserved.
"""mmaction2's own tools/train.py runs a stock config that uses mmvssm."""

import importlib.util
import os
import os.path as osp
import re
import subprocess

import pytest

CONFIG = (
    'projects/mmaction2_custom_imports/configs/'
    'videomamba-mini_mmaction2-style_synthetic-motion-rgb.py'
)


def stock_mmaction_train_script() -> str:
    spec = importlib.util.find_spec('mmaction')
    package_dir = list(spec.submodule_search_locations)[0]
    return osp.join(package_dir, '.mim', 'tools', 'train.py')


@pytest.mark.slow
def test_stock_mmaction_train_runs_mmvssm_config(tmp_path, repo_root, python):
    script = stock_mmaction_train_script()
    if not osp.isfile(script):
        pytest.skip('this mmaction2 install ships no .mim/tools/train.py')
    tiny = tmp_path / 'tiny.py'
    data = dict(
        data_root=str(tmp_path / 'data'),
        num_videos_per_class=1,
        num_frames=8,
        resolution=32,
    )
    tiny.write_text(
        f"""
_base_ = [{osp.join(repo_root, CONFIG)!r}]
train_dataloader = dict(batch_size=4, dataset=dict(**{data!r}))
val_dataloader = dict(batch_size=4, dataset=dict(**{data!r}))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs=1)
default_hooks = dict(logger=dict(interval=1))
"""
    )
    result = subprocess.run(
        [python, script, str(tiny), '--work-dir', str(tmp_path / 'work')],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, 'PYTHONUNBUFFERED': '1'},
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert "default_scope = 'mmaction'" in log
    assert re.search(r'Epoch\(val\) \[1\]\[\d+/\d+\] +acc/top1', log)
    assert osp.isfile(tmp_path / 'work' / 'epoch_1.pth')
