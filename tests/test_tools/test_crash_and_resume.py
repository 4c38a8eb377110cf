# Copyright (c) mmvssm contributors. All rights reserved.
"""SIGKILL a real training run and resume it with the real tools.

* Exact resume: VideoMamba with drop path and Mixup/CutMix, killed with
  SIGKILL in the middle of epoch 3 and resumed with ``--resume``, gives the
  same losses and the same final weights as a run that was never killed.
* Crash-safe checkpoints: killed while the epoch-2 checkpoint is being
  saved (``max_keep_ckpts=1``), the run still has epoch 1 to resume from.
"""

import os
import os.path as osp
import re
import signal
import subprocess
import sys

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint

CONFIG = (
    'configs/videomamba/'
    'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py'
)

# A hook that SIGKILLs its own process when a given checkpoint is saved,
# after mmengine's own hook would already have deleted the previous one.
KILLER = """
import os, signal
from mmengine.hooks import Hook
from mmvssm.registry import HOOKS


@HOOKS.register_module()
class KillWhileSaving(Hook):
    def __init__(self, epoch):
        self.epoch = epoch

    def before_save_checkpoint(self, runner, checkpoint):
        if checkpoint['meta']['epoch'] == self.epoch:
            os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture(scope='module')
def config(tmp_path_factory, repo_root) -> str:
    folder = tmp_path_factory.mktemp('exact')
    (folder / 'killer_hook.py').write_text(KILLER)
    render = dict(
        data_root=str(folder / 'data'),
        num_frames=8,
        resolution=32,
        fps=8,
        seed=0,
    )
    path = folder / 'exact.py'
    path.write_text(
        f"""
_base_ = [{osp.join(repo_root, CONFIG)!r}]
render = {render!r}
model = dict(
    backbone=dict(img_size=32, drop_path_rate=0.2),
    data_preprocessor=dict(blending=dict(
        type='RandomBatchAugment',
        augments=[dict(type='MixupBlending', alpha=0.8, num_classes=8),
                  dict(type='CutmixBlending', alpha=1.0, num_classes=8)])))
train_pipeline = [
    dict(t, scale=(32, 32))
    if t.type == 'Resize' and t.get('keep_ratio') is False
    else dict(t, scale=(-1, 32)) if t.type == 'Resize' else t
    for t in _base_.train_pipeline]
val_pipeline = [
    dict(t, scale=(-1, 32)) if t.type == 'Resize'
    else dict(t, crop_size=32) if t.type == 'CenterCrop' else t
    for t in _base_.val_pipeline]
train_dataloader = dict(
    batch_size=4, num_workers=0,
    dataset=dict(num_videos_per_class=2, pipeline=train_pipeline, **render))
val_dataloader = dict(
    batch_size=4, num_workers=0,
    dataset=dict(num_videos_per_class=1, pipeline=val_pipeline, **render))
test_dataloader = val_dataloader
max_epochs = 3
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=3, by_epoch=True,
                        convert_to_iter_based=True)]
default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(interval=1, max_keep_ckpts=1, save_best=None))
"""
    )
    (folder / 'killed_at_2.py').write_text(
        f"""
_base_ = [{str(path)!r}]
custom_imports = dict(imports=['mmvssm', 'killer_hook'])
custom_hooks = [dict(type='KillWhileSaving', epoch=2)]
"""
    )
    return str(path)


def train_cmd(python, config, work_dir, *extra):
    return [
        python,
        'tools/train.py',
        config,
        '--work-dir',
        work_dir,
        '--seed',
        '1',
        '--deterministic',
        *extra,
    ]


def env(folder):
    return {
        **os.environ,
        'PYTHONUNBUFFERED': '1',
        'PYTHONPATH': os.pathsep.join(
            [folder, os.environ.get('PYTHONPATH', '')]
        ),
    }


def run(cmd, cwd, folder) -> str:
    result = subprocess.run(
        cmd,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env=env(folder),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def losses(log: str, epoch: int) -> list:
    return re.findall(
        rf'Epoch\(train\) +\[{epoch}\]\[\d+/\d+\].*? loss: ([0-9.]+)', log
    )


def weights(path):
    return _load_checkpoint(path, map_location='cpu')['state_dict']


@pytest.fixture(scope='module')
def whole_run(config, tmp_path_factory, repo_root, python):
    """The uninterrupted run: its work dir and log."""
    work_dir = str(tmp_path_factory.mktemp('whole'))
    log = run(
        train_cmd(python, config, work_dir), repo_root, osp.dirname(config)
    )
    return work_dir, log


def kill_at(cmd, cwd, folder, pattern):
    """Start a run and SIGKILL it when a log line matches ``pattern``."""
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors='replace',
        env=env(folder),
    )
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if re.search(pattern, line):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, ''.join(seen)[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize(
    'checkpoints,workers',
    [('per_epoch', 0), ('every_2_iters', 0), ('every_2_iters', 2)],
)
def test_sigkill_mid_epoch_then_resume_gives_the_same_run(
    config, whole_run, checkpoints, workers, tmp_path, repo_root, python
):
    """Killed after 2 of the 4 steps of epoch 3 (1 with iteration
    checkpoints), resumed: the same losses and final weights. With 2
    persistent DataLoader workers the killed and resumed run still equals
    the uninterrupted run, which loaded its data in the main process
    (per-sample seeds)."""
    folder = osp.dirname(config)
    whole, log_whole = whole_run
    # --seed / --deterministic win over the config's randomness.seed=0.
    assert re.search(r'randomness\.seed: 0 in the config, 1 from', log_whole)
    assert 'deterministic: True' in log_whole
    options = []
    if checkpoints == 'every_2_iters':
        options += [
            'default_hooks.checkpoint.by_epoch=False',
            'default_hooks.checkpoint.interval=2',
        ]
    if workers:
        options += [
            f'train_dataloader.num_workers={workers}',
            'train_dataloader.persistent_workers=True',
        ]
    extra = ['--cfg-options', *options] if options else []
    killed = str(tmp_path / 'killed')
    pattern = r'Epoch\(train\) +\[3\]\[{}/4\]'.format(
        2 if checkpoints == 'per_epoch' else 3
    )
    kill_at(
        train_cmd(python, config, killed, *extra), repo_root, folder, pattern
    )
    log = run(
        train_cmd(python, config, killed, '--resume', *extra),
        repo_root,
        folder,
    )
    expected = losses(log_whole, 3)
    assert len(expected) == 4
    if checkpoints == 'per_epoch':
        assert 'resumed epoch: 2, iter: 8' in log, log[-3000:]
        final = osp.join(killed, 'epoch_3.pth')
    else:
        # iter_10 is the last checkpoint: 2 steps into epoch 3.
        assert 'resumed epoch: 2, iter: 10' in log, log[-3000:]
        assert 'first 2 batches are skipped' in log
        expected = expected[2:]
        final = osp.join(killed, 'iter_12.pth')
    name = f'{checkpoints}, {workers} workers'
    print(f'epoch 3 losses ({name}), uninterrupted:', expected)
    print(f'epoch 3 losses ({name}), killed+resumed:', losses(log, 3))
    assert losses(log, 3) == expected
    a = weights(osp.join(whole, 'epoch_3.pth'))
    b = weights(final)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


@pytest.mark.slow
def test_kill_while_saving_keeps_the_previous_checkpoint(
    config, tmp_path, repo_root, python
):
    folder = osp.dirname(config)
    work_dir = str(tmp_path / 'work')
    result = subprocess.run(
        train_cmd(python, osp.join(folder, 'killed_at_2.py'), work_dir),
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=900,
        env=env(folder),
    )
    assert result.returncode == -signal.SIGKILL, result.stderr[-3000:]
    first = osp.join(work_dir, 'epoch_1.pth')
    assert osp.isfile(first)  # mmengine's hook deletes it before saving 2
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read() == first
    weights(first)  # complete and loadable
    log = run(
        train_cmd(python, config, work_dir, '--resume'), repo_root, folder
    )
    assert 'resumed epoch: 1' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_3.pth'))
    assert not osp.exists(first)  # removed once epoch 2 was complete
    leftovers = [n for n in os.listdir(work_dir) if n.endswith('.tmp')]
    assert leftovers == []


if __name__ == '__main__':
    sys.exit(pytest.main([__file__, '-s', '-p', 'no:cacheprovider']))
