# Copyright (c) mmvssm contributors. All rights reserved.
"""Masked pre-training, long-video and retrieval configs: build, one step.

Every config's model is built (weights files left out: the teacher and
text encoder start random) and takes one real training step through its
data preprocessor on a tiny clip.
"""

import glob
import os.path as osp

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import OptimWrapper

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    p
    for d in ('videomamba_mask', 'videomamba_long', 'videomamba_retrieval')
    for p in glob.glob(osp.join(REPO, 'configs', d, '*.py'))
)


def _drop_init_cfgs(cfg):
    if isinstance(cfg, dict):
        cfg.pop('init_cfg', None)
        for value in cfg.values():
            _drop_init_cfgs(value)


def test_every_directory_has_configs():
    dirs = {osp.basename(osp.dirname(p)) for p in CONFIGS}
    assert dirs == {
        'videomamba_mask',
        'videomamba_long',
        'videomamba_retrieval',
    }


# The small / middle rows build big models (seconds each): slow tests.
PARAMS = [
    pytest.param(
        p,
        marks=[pytest.mark.slow]
        if any(k in osp.basename(p) for k in ('small', 'middle'))
        else [],
    )
    for p in CONFIGS
]


@pytest.mark.parametrize('path', PARAMS, ids=osp.basename)
def test_config_builds_and_steps(path):
    from mmengine.registry import init_default_scope

    from mmvssm.registry import MODELS

    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmvssm'
    model_cfg = cfg.model.to_dict()
    _drop_init_cfgs(model_cfg)
    init_default_scope('mmvssm')
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    backbone = model.backbone
    t = 2 * backbone.tubelet_size
    size = 2 * backbone.patch_size
    n = 2
    samples = []
    for i in range(n):
        s = ActionDataSample().set_gt_label(i % 2)
        s.set_metainfo(dict(caption=f'a clip number {i}', video_id=i))
        samples.append(s)
    data = dict(
        inputs=[
            torch.randint(0, 255, (1, 3, t, size, size), dtype=torch.uint8)
            for _ in range(n)
        ],
        data_samples=samples,
    )
    params = [p for p in model.parameters() if p.requires_grad]
    before = [p.detach().clone() for p in params]
    wrapper = OptimWrapper(torch.optim.SGD(params, lr=0.1))
    log = model.train_step(data, wrapper)
    assert torch.isfinite(log['loss'])
    changed = sum(not torch.equal(a, p) for a, p in zip(before, params))
    assert changed > 0
    if cfg.model.type == 'UMTPretrainer':
        assert all(not p.requires_grad for p in model.teacher.parameters())
