# Copyright (c) mmvssm contributors. All rights reserved.
"""VideoMamba tools: the official-checkpoint converter and get_flops."""

import argparse
import importlib.util
import os.path as osp
import re

import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from mmvssm.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(__file__))))
REPO = osp.abspath(REPO)
TINY = dict(embed_dims=32, num_layers=2)
CONVERTER = 'videomamba_official_to_mmvssm.py'


def load_tool(*parts):
    path = osp.join(REPO, 'tools', *parts)
    spec = importlib.util.spec_from_file_location(parts[-1][:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recognizer(num_classes=400):
    init_default_scope('mmvssm')
    return MODELS.build(
        dict(
            type='Recognizer3D',
            backbone=dict(type='VideoMamba', arch=TINY),
            cls_head=dict(
                type='TimeSformerHead',
                num_classes=num_classes,
                in_channels=32,
            ),
        )
    )


def official_tiny(num_classes=400):
    """An official-format state dict of a tiny VideoMamba (random)."""
    torch.manual_seed(0)
    state = {
        k: torch.randn_like(v)
        for k, v in MODELS.build(dict(type='VideoMamba', arch=TINY))
        .state_dict()
        .items()
    }
    state['head.weight'] = torch.randn(num_classes, 32)
    state['head.bias'] = torch.randn(num_classes)
    return state


def test_converter_restores_the_whole_recognizer(tmp_path, capsys):
    converter = load_tool('model_converters', CONVERTER)
    official = official_tiny()
    src, dst = tmp_path / 'official.pth', tmp_path / 'converted.pth'
    torch.save(official, src)
    assert converter.main([str(src), str(dst)]) == 0
    assert 'cls_head.fc_cls.* (400 classes)' in capsys.readouterr().out
    model = recognizer()
    load_checkpoint(model, str(dst), strict=True)
    state = model.state_dict()
    torch.testing.assert_close(
        state['cls_head.fc_cls.weight'], official['head.weight']
    )
    torch.testing.assert_close(
        state['backbone.norm_f.weight'], official['norm_f.weight']
    )


def test_converter_image_checkpoint_without_head(tmp_path):
    converter = load_tool('model_converters', CONVERTER)
    image = official_tiny(num_classes=1000)
    image['patch_embed.proj.weight'] = image['patch_embed.proj.weight'][
        :, :, 0
    ]
    src, dst = tmp_path / 'in1k.pth', tmp_path / 'in1k_mmvssm.pth'
    torch.save({'model': image}, src)
    converter.main([str(src), str(dst), '--no-head'])
    saved = torch.load(dst, weights_only=True)['state_dict']
    assert not any(k.startswith('cls_head.') for k in saved)
    # Loading into a K400 recognizer inflates the 2D patch kernel.
    model = recognizer()
    load_checkpoint(model, str(dst))
    torch.testing.assert_close(
        model.backbone.patch_embed.proj.weight[:, :, 0],
        image['patch_embed.proj.weight'],
    )


def test_converter_rejects_other_files(tmp_path):
    converter = load_tool('model_converters', CONVERTER)
    src = tmp_path / 'other.pth'
    torch.save({'fc.weight': torch.zeros(2, 2)}, src)
    with pytest.raises(SystemExit, match='no VideoMamba layers'):
        converter.main([str(src), str(tmp_path / 'out.pth')])
    with pytest.raises(SystemExit, match='does not exist'):
        converter.main([str(tmp_path / 'missing.pth'), 'out.pth'])
    broken = tmp_path / 'broken.pth'
    broken.write_bytes(b'not a checkpoint')
    with pytest.raises(SystemExit, match='not a readable'):
        converter.main([str(broken), str(tmp_path / 'out.pth')])


def test_converter_refuses_pickled_args_unless_trusted(
    tmp_path, capsys, monkeypatch
):
    converter = load_tool('model_converters', CONVERTER)
    # Official fine-tuned files carry the training args next to the model:
    # refused by the weights-only loader, converted once the file is trusted.
    src = tmp_path / 'with_args.pth'
    args = argparse.Namespace(model='videomamba_tiny', lr=2e-4)
    torch.save(dict(model=official_tiny(), args=args, epoch=69), src)
    monkeypatch.delenv('MMVSSM_TRUSTED_CHECKPOINTS', raising=False)
    with pytest.raises(SystemExit, match='argparse.Namespace') as err:
        converter.main([str(src), str(tmp_path / 'out.pth')])
    assert '\n' not in str(err.value)
    assert not (tmp_path / 'out.pth').exists()
    monkeypatch.setenv('MMVSSM_TRUSTED_CHECKPOINTS', str(src))
    assert converter.main([str(src), str(tmp_path / 'out.pth')]) == 0
    assert 'ignored entries: args, epoch' in capsys.readouterr().out


@pytest.mark.parametrize(
    'config,params,paper_gflops',
    [
        (
            'videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb',
            7_033_744,
            8.60,
        ),
        (
            'videomamba-middle-res384_k400-f64-pre_16xb1-u64-6e_kinetics400-rgb',
            74_126_992,
            2368.15,
        ),
    ],
)
def test_get_flops_reproduces_the_paper_column(
    config, params, paper_gflops, capsys
):
    get_flops = load_tool('analysis_tools', 'get_flops.py')
    path = osp.join(REPO, 'configs', 'videomamba', config + '.py')
    assert get_flops.main([path]) == 0
    out = capsys.readouterr().out
    assert f'({params:,})' in out
    paper = float(re.search(r'paper convention: ([\d.]+)', out).group(1))
    total = float(re.search(r'all ops: ([\d.]+)', out).group(1))
    assert paper == pytest.approx(paper_gflops, abs=0.01)
    # Counting x/dt projections, convs and the scan adds about 40%.
    assert 1.2 * paper < total < 1.8 * paper
    assert 'selective scan' in out and '3 x 4' in out


def test_get_flops_shape_override_and_errors(capsys):
    get_flops = load_tool('analysis_tools', 'get_flops.py')
    path = osp.join(
        REPO,
        'configs',
        'videomamba',
        'videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb.py',
    )
    get_flops.main([path, '--shape', '16', '224', '224'])
    out16 = capsys.readouterr().out
    paper16 = float(re.search(r'paper convention: ([\d.]+)', out16).group(1))
    assert paper16 == pytest.approx(17.2, abs=0.1)  # paper: 17
    with pytest.raises(SystemExit, match='T H W'):
        get_flops.main([path, '--shape', '224', '224'])
