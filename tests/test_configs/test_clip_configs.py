# Copyright (c) mmvssm contributors. All rights reserved.
"""Every CLIP / ViCLIP config resolves and builds (weights left out)."""

import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'clip', '*.py')))
NUM_CLASSES = dict(ucf101=101, hmdb51=51, kinetics600=600, synthetic=8)


def _drop_init_cfgs(cfg):
    if isinstance(cfg, dict):
        cfg.pop('init_cfg', None)
        for value in cfg.values():
            _drop_init_cfgs(value)


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_resolves_and_builds(path):
    from mmengine.registry import init_default_scope

    from mmvssm.registry import MODELS

    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmvssm'
    model_cfg = cfg.model.to_dict()
    vision = model_cfg['backbone']
    text = model_cfg['cls_head']['text_branch']['text_encoder']
    viclip = osp.basename(path).startswith('viclip')
    expected = (
        'checkpoints/ViCLIP-B_InternVid-FLT-10M.pth'
        if viclip
        else 'checkpoints/ViT-B-16.pt'
    )
    for part in (vision, text):
        assert part['init_cfg'] == dict(type='Pretrained', checkpoint=expected)
    assert text.get('context_length', 77) == (32 if viclip else 77)
    assert cfg.test_dataloader is not None and cfg.test_cfg is not None

    _drop_init_cfgs(model_cfg)
    init_default_scope('mmvssm')
    with torch.device('meta'):
        model = MODELS.build(model_cfg)
    dataset = next(k for k in NUM_CLASSES if k in osp.basename(path))
    assert model.cls_head.num_classes == NUM_CLASSES[dataset]
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable == (['backbone.proj'] if 'probe' in path else [])
