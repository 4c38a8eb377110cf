# Copyright (c) mmvssm contributors. All rights reserved.
"""--resume semantics and command-line randomness, on real checkpoints."""

import os

import pytest
import torch
from mmengine.config import Config

from mmvssm.utils import launch


def cfg_with(work_dir, **kwargs) -> Config:
    return Config(dict(work_dir=str(work_dir), **kwargs))


def save(path, **state):
    torch.save({'state_dict': {'w': torch.ones(2)}, **state}, str(path))
    return str(path)


def test_resume_path_must_exist(tmp_path):
    cfg = cfg_with(tmp_path, load_from='pretrained.pth')
    with pytest.raises(launch.ToolError, match=r'--resume .*no such'):
        launch.resolve_resume(cfg, str(tmp_path / 'epoch_9.pth'))


def test_resume_path_resumes_from_it(tmp_path):
    ckpt = save(tmp_path / 'epoch_1.pth')
    cfg = cfg_with(tmp_path, load_from='pretrained.pth')
    launch.resolve_resume(cfg, ckpt)
    assert cfg.resume and cfg.load_from == ckpt


def test_resume_without_checkpoint_keeps_load_from(tmp_path):
    cfg = cfg_with(tmp_path / 'new', load_from='pretrained.pth')
    notes = launch.resolve_resume(cfg, 'auto')
    assert cfg.resume is False and cfg.load_from == 'pretrained.pth'
    assert 'first launch' in notes[-1] and 'pretrained.pth' in notes[-1]


def test_resume_finds_latest_checkpoint(tmp_path):
    save(tmp_path / 'epoch_1.pth')
    latest = save(tmp_path / 'epoch_2.pth')
    (tmp_path / 'last_checkpoint').write_text(latest)
    cfg = cfg_with(tmp_path, load_from='pretrained.pth')
    launch.resolve_resume(cfg, 'auto')
    assert cfg.resume and cfg.load_from == latest


def test_resume_skips_a_torn_checkpoint(tmp_path):
    good = save(tmp_path / 'epoch_1.pth')
    torn = save(tmp_path / 'epoch_2.pth')
    data = open(torn, 'rb').read()
    with open(torn, 'wb') as f:
        f.write(data[: len(data) // 2])  # killed while writing
    os.utime(torn)
    (tmp_path / 'last_checkpoint').write_text(torn)
    notes = []
    assert launch.find_resumable_checkpoint(str(tmp_path), notes) == good
    assert 'incomplete' in notes[0]


def test_resume_without_pointer_uses_newest_file(tmp_path):
    save(tmp_path / 'epoch_1.pth')
    newest = save(tmp_path / 'epoch_3.pth')
    assert launch.find_resumable_checkpoint(str(tmp_path)) == newest


@pytest.mark.parametrize(
    'config, flags, expected',
    [
        (None, (7, True, False), dict(seed=7, deterministic=True)),
        (dict(seed=0), (7, False, False), dict(seed=7)),
        (dict(seed=0), (None, True, False), dict(seed=0, deterministic=True)),
        (
            dict(seed=0, deterministic=False),
            (None, False, True),
            dict(seed=0, deterministic=False, diff_rank_seed=True),
        ),
        (dict(seed=3), (None, False, False), dict(seed=3)),
    ],
)
def test_flags_override_config_randomness(config, flags, expected):
    cfg = Config(dict(randomness=config) if config else {})
    notes = launch.apply_randomness_flags(cfg, *flags)
    assert cfg.randomness == expected
    if config and flags[0] is not None and config.get('seed') != flags[0]:
        assert 'from the command line' in notes[0]


def test_strict_data_reaches_wrapped_datasets():
    cfg = Config(
        dict(
            train_dataloader=dict(
                dataset=dict(type='RepeatDataset', dataset=dict(type='A'))
            ),
            val_dataloader=dict(dataset=dict(type='B')),
            test_dataloader=None,
        )
    )
    launch.set_strict_videos(cfg)
    assert cfg.train_dataloader.dataset.dataset.strict_videos is True
    assert cfg.val_dataloader.dataset.strict_videos is True
