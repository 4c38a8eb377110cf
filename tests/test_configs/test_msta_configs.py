# Copyright (c) mmvssm contributors. All rights reserved.
"""Every MSTA config resolves and builds; the trainable counts of the
logged (1.744M) and the paper's (8.7M) model."""

import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'msta', '*.py')))
LOGGED = 'msta_viclip-b16-r128-b8to12_8xb4-u8-50e_k400-base2novel-rgb.py'
PAPER = 'msta_viclip-b16-r256-b1to12_8xb4-u8-50e_k400-base2novel-rgb.py'
CLIP = 'msta_clip-vit-b16-r128-b8to12_8xb4-u8-50e_k400-base2novel-rgb.py'


def _offline(model_cfg):
    """Drop weight files; stand-in class lists for absent label files."""

    def drop(cfg):
        if isinstance(cfg, dict):
            cfg.pop('init_cfg', None)
            for value in cfg.values():
                drop(value)

    drop(model_cfg)
    branch = model_cfg['cls_head']['text_branch']
    for key in ('class_names', 'novel_class_names'):
        names = branch.get(key)
        if isinstance(names, str) and names.startswith('data/'):
            branch[key] = [f'class {i}' for i in range(3)]
    for key in ('spatial_descriptions', 'temporal_descriptions'):
        if str(branch.get(key)).startswith('data/'):
            branch[key] = None
    return model_cfg


def _build(path):
    from mmengine.registry import init_default_scope

    from mmvssm.registry import MODELS

    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmvssm'
    init_default_scope('mmvssm')
    with torch.device('meta'):
        return cfg, MODELS.build(_offline(cfg.model.to_dict()))


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_config_resolves_and_builds(path):
    cfg, model = _build(path)
    assert type(model).__name__ == 'MSTARecognizer'
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all(n.startswith('adapter.') for n in trainable)
    assert cfg.test_dataloader is not None
    text = cfg.model.cls_head.text_branch
    clip = osp.basename(path).startswith('msta_clip')
    assert text.text_encoder.context_length == (77 if clip else 32)
    if 'base2novel' in path:
        assert cfg.test_dataloader.dataset.type == 'BaseNovelDataset'
        assert cfg.test_evaluator.type == 'BaseNovelMetric'
        assert text.novel_class_names
    if 'few-shot' in path:
        shots = int(osp.basename(path).split('-k')[1].split('-')[0])
        assert cfg.train_dataloader.sampler == dict(
            type='FewShotSampler', shots=shots, subset_seed=1
        )


@pytest.mark.parametrize(
    'name, expected, tolerance',
    [(LOGGED, 1.744e6, 0.01), (PAPER, 8.7e6, 0.02), (CLIP, 1.744e6, 0.01)],
)
def test_trainable_counts(name, expected, tolerance, capsys):
    from mmvssm.models.utils import log_parameter_summary

    _, model = _build(osp.join(REPO, 'configs', 'msta', name))
    counts = log_parameter_summary(model)
    print(f'{name}: {counts["trainable"]:,} trainable')
    assert counts['trainable'] == pytest.approx(expected, rel=tolerance)
    # ViCLIP-B/16 exactly: 5 x 348,800 (logged) and 12 x 726,016 (paper).
    assert counts['trainable'] in (1_744_000, 8_712_192)


def test_root_pipelines_give_one_8_frame_clip_per_view(tmp_path):
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope

    from mmvssm.datasets import SyntheticMotionDataset

    init_default_scope('mmvssm')
    data = SyntheticMotionDataset(
        pipeline=[],
        data_root=str(tmp_path),
        split='val',
        classes=['moving_left', 'moving_right'],
        num_videos_per_class=1,
        num_frames=12,
        resolution=32,
    )
    info = data.get_data_info(0)
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'msta', LOGGED))
    train = Compose(cfg.train_pipeline)(dict(info))
    assert tuple(train['inputs'].shape) == (1, 3, 8, 224, 224)
    test = Compose(cfg.test_pipeline)(dict(info))
    assert tuple(test['inputs'].shape) == (12, 3, 8, 224, 224)  # 4 x 3
