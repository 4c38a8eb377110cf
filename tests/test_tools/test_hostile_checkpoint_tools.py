# Copyright (c) mmvssm contributors. All rights reserved.
"""The real tools against hostile and real checkpoints.

A tiny VideoMamba run writes a real checkpoint, which must load
weights-only with nothing allowed. The issue's exploit (``getattr`` to the
builtins module, then torch's ``_rebuild_from_type_v2`` to call ``exec``)
is refused by ``load_from``, ``init_cfg``, ``tools/test.py`` and
``--resume`` with a one-line error and nothing executed, and a checkpoint in
the older mmengine layout (``HistoryBuffer`` objects pickled) still tests
and resumes.
"""

import os.path as osp
import re
from collections import OrderedDict

import hostile_checkpoints as hostile
import pytest
import torch
from mmengine.logging import HistoryBuffer
from tiny_configs import run_tool


@pytest.mark.slow
def test_written_checkpoint_loads_weights_only(trained):
    checkpoint = torch.load(
        trained['checkpoint'], weights_only=True
    )  # nothing allowed
    assert checkpoint['meta']['epoch'] == 2
    scalars = checkpoint['message_hub']['log_scalars']
    assert scalars and all(isinstance(v, dict) for v in scalars.values())


def _exploit(tmp_path, marker) -> str:
    path = str(tmp_path / 'downloaded.pth')
    return hostile.write_hostile(
        path, hostile.payloads(marker)['getattr-chain'], 'meta'
    )


def _tool_args(path_name, config, checkpoint, work_dir):
    common = ['--work-dir', work_dir]
    return {
        'load_from': [
            'tools/train.py',
            config,
            *common,
            '--cfg-options',
            f'load_from={checkpoint}',
        ],
        'init_cfg': [
            'tools/train.py',
            config,
            *common,
            '--cfg-options',
            'model.backbone.init_cfg.type=Pretrained',
            f'model.backbone.init_cfg.checkpoint={checkpoint}',
        ],
        'test': ['tools/test.py', config, checkpoint, *common],
        'resume': ['tools/train.py', config, *common, '--resume', checkpoint],
    }[path_name]


@pytest.mark.slow
@pytest.mark.parametrize(
    'path_name', ['load_from', 'init_cfg', 'test', 'resume']
)
def test_tools_refuse_the_exploit(
    tiny_main_job, tmp_path, repo_root, python, path_name
):
    marker = str(tmp_path / 'payload_ran')
    checkpoint = _exploit(tmp_path, marker)
    args = _tool_args(
        path_name, tiny_main_job, checkpoint, str(tmp_path / 'w')
    )
    result = run_tool(repo_root, python, *args)
    assert result.returncode == 1, result.stderr[-3000:]
    assert not osp.exists(marker)
    assert 'Traceback' not in result.stderr, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: refusing to load '{checkpoint}'"), last
    assert 'MMVSSM_TRUSTED_CHECKPOINTS=' in last


def _as_old_layout(trained: str, path: str) -> str:
    """The real checkpoint with its message hub as mmengine 0.10.7 wrote it."""
    checkpoint = torch.load(trained, weights_only=True)
    hub = checkpoint['message_hub']
    scalars = OrderedDict()
    for key, value in hub['log_scalars'].items():
        data = value['__history_buffer__']
        scalars[key] = HistoryBuffer(
            data['log_history'].numpy(),
            data['count_history'].numpy(),
            data['max_length'],
        )
    hub['log_scalars'] = scalars
    torch.save(checkpoint, path)
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path, weights_only=True)
    return path


@pytest.mark.slow
def test_old_layout_checkpoint_tests_and_resumes(
    trained, tiny_main_job, tmp_path, repo_root, python
):
    old = _as_old_layout(
        trained['checkpoint'], str(tmp_path / 'old_epoch_2.pth')
    )
    work_dir = str(tmp_path / 'w')
    result = run_tool(
        repo_root, python, *_tool_args('test', tiny_main_job, old, work_dir)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r'acc/top1: [0-9.]+', result.stdout + result.stderr)
    result = run_tool(
        repo_root,
        python,
        *_tool_args('resume', tiny_main_job, old, work_dir),
        '--cfg-options',
        'train_cfg.max_epochs=3',
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert re.search(r'resumed epoch: 2, iter: \d+', log), log[-3000:]
    assert osp.isfile(osp.join(work_dir, 'epoch_3.pth'))
