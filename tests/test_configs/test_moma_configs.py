# Copyright (c) mmvssm contributors. All rights reserved.
"""MoMa configs: they build; the user-named command fails in one line
without data or weights and trains with generated weights on the synthetic
set through the stock tools/train.py."""

import glob
import os.path as osp
import re
import sys

import pytest
import torch
from mmengine.config import Config

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(__file__)), 'test_models'))
from clip_helpers import (  # noqa: E402
    TINY_TEXT,
    TINY_VISION,
    build_open_clip,
    save_traced,
)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'moma', '*.py')))
USER_CONFIG = osp.join(REPO, 'configs', 'moma', 'moma_vitb_k400.py')
SYNTHETIC = osp.join(
    REPO,
    'configs',
    'moma',
    'moma_vit-b16_clip-pre_1xb8-u8-10e_synthetic-motion-rgb.py',
)
NUM_CLASSES = dict(
    kinetics400=400, sthv2=174, ucf101=101, hmdb51=51, synthetic=8
)


def _drop_init_cfgs(cfg):
    if isinstance(cfg, dict):
        cfg.pop('init_cfg', None)
        for value in cfg.values():
            _drop_init_cfgs(value)


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_builds_with_only_the_seqmods_trainable(path):
    from mmvssm.registry import MODELS

    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmvssm'
    model_cfg = cfg.model.to_dict()
    large = 'l14' in osp.basename(path)
    weights = f'checkpoints/ViT-{"L-14" if large else "B-16"}.pt'
    text = model_cfg['cls_head']['text_branch']['text_encoder']
    for part in (model_cfg['backbone']['foundation'], text):
        assert part['init_cfg'] == dict(type='Pretrained', checkpoint=weights)
    _drop_init_cfgs(model_cfg)
    with torch.device('meta'):
        model = MODELS.build(model_cfg)
    name = osp.basename(path).replace('_k400.py', '_kinetics400.py')
    dataset = next(k for k in NUM_CLASSES if k in name)
    assert model.cls_head.num_classes == NUM_CLASSES[dataset]
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert names and all(n.startswith('backbone.seqmods.') for n in names)
    assert len(model.backbone.seqmods) == (24 if large else 12)


def test_user_named_config_is_the_b16_16f_k400_row():
    row = osp.join(
        REPO,
        'configs',
        'moma',
        'moma_vit-b16_clip-pre_8xb8-16x4x1-30e_kinetics400-rgb.py',
    )
    assert Config.fromfile(USER_CONFIG).to_dict() == (
        Config.fromfile(row).to_dict()
    )


@pytest.fixture(scope='module')
def tiny_clip(tmp_path_factory):
    """A tiny CLIP saved as OpenAI releases it (traced TorchScript)."""
    folder = tmp_path_factory.mktemp('moma_tiny_clip')
    torch.manual_seed(0)
    path = str(folder / 'ViT-tiny.pt')
    save_traced(build_open_clip(image_size=32), path, 32)
    return path


def _tiny_delta(folder, base, checkpoint, extra=''):
    """``base`` with a tiny generated CLIP (the real key names)."""
    path = folder / f'tiny_{osp.basename(base)}'
    path.write_text(
        '\n'.join(
            [
                f'_base_ = [{base!r}]',
                f'__w = dict(type="Pretrained", checkpoint={checkpoint!r})',
                'model = dict(',
                '    backbone=dict(foundation=dict(',
                f'        arch=dict(_delete_=True, **{TINY_VISION!r}),',
                '        img_size=32, init_cfg=__w)),',
                '    cls_head=dict(in_channels=32, text_branch=dict(',
                '        text_encoder=dict(',
                f'            arch=dict(_delete_=True, **{TINY_TEXT!r}),',
                '            init_cfg=__w))))',
                extra,
            ]
        )
        + '\n'
    )
    return str(path)


def _train_tool():
    """The stock tools/train.py, imported (it runs in this process)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        'moma_train_tool', osp.join(REPO, 'tools', 'train.py')
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tool_error(argv) -> str:
    """The message tools/train.py exits with (what the user sees)."""
    with pytest.raises(SystemExit) as exc:
        _train_tool().main(argv)
    message = str(exc.value.code)
    assert message.startswith('error: ') and '\n' not in message
    return message


def test_user_command_without_weights_names_the_weight_file(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    message = _tool_error([USER_CONFIG, '--work-dir', str(tmp_path / 'w')])
    assert "'checkpoints/ViT-B-16.pt'" in message
    assert 'ViT-B-16.pt' in message


def test_user_command_without_k400_names_the_annotation_file(
    tmp_path, monkeypatch, tiny_clip
):
    # With weights (a generated OpenAI-format file) but no Kinetics data.
    monkeypatch.chdir(tmp_path)
    config = _tiny_delta(tmp_path, USER_CONFIG, tiny_clip)
    message = _tool_error([config, '--work-dir', str(tmp_path / 'w')])
    assert 'data/kinetics400/kinetics400_train_list_videos.txt' in message
    assert 'tools/data/README.md' in message


def test_synthetic_config_trains_through_tools_train(
    tmp_path, monkeypatch, tiny_clip
):
    monkeypatch.chdir(tmp_path)
    render = dict(
        data_root=str(tmp_path / 'data'),
        num_frames=8,
        resolution=32,
        fps=8,
        seed=0,
    )
    loader = dict(
        batch_size=4,
        num_workers=0,
        dataset=dict(num_videos_per_class=1, **render),
    )
    extra = '\n'.join(
        [
            f'train_dataloader = {loader!r}',
            f'val_dataloader = {loader!r}',
            'test_dataloader = val_dataloader',
            'train_cfg = dict(max_epochs=1, val_interval=1)',
            'default_hooks = dict(logger=dict(interval=1))',
        ]
    )
    config = _tiny_delta(tmp_path, SYNTHETIC, tiny_clip, extra)
    work = tmp_path / 'work'
    _train_tool().main([config, '--work-dir', str(work)])
    log = '\n'.join(p.read_text() for p in work.glob('*/*.log'))
    assert re.search(r'Epoch\(val\) +\[1\]', log) and 'acc/top1' in log
    assert re.search(r'MoMa: 0\.\d+M trainable', log)
    state = torch.load(
        osp.join(work, 'epoch_1.pth'), map_location='cpu', weights_only=True
    )['state_dict']
    # Only the SeqMods are saved (the frozen CLIP reloads from its file),
    # and they trained away from their zero start.
    assert state and all(k.startswith('backbone.seqmods.') for k in state)
    assert state['backbone.seqmods.0.ssm.out_proj.weight'].abs().max() > 0


def test_get_flops_b16_16x224_near_the_paper(capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        'moma_get_flops',
        osp.join(REPO, 'tools', 'analysis_tools', 'get_flops.py'),
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main([USER_CONFIG]) == 0
    out = capsys.readouterr().out
    gflops = float(re.search(r'all ops \(SSM counted\): ([\d.]+)', out)[1])
    scan = float(re.search(r'selective scan: ([\d.]+)', out)[1])
    # paper: 902 GFLOPs over 3 views = 300.7 per view.
    assert abs(gflops - 300.7) <= 0.15 * 300.7 and scan > 0
    assert '3 clips x 1 crops' in out and 'trainable (SeqMods) 12.03 M' in out
