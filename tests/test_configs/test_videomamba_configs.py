# Copyright (c) mmvssm contributors. All rights reserved.
"""Every VideoMamba config parses, builds and runs a small forward."""

import copy
import functools
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from mmvssm.models.backbones import VideoMamba
from mmvssm.registry import DATASETS, MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'videomamba', '*.py')))
TINY = dict(embed_dims=32, num_layers=2)
TINY_TEACHER = dict(embed_dims=16, num_layers=1)


def _ids(paths):
    return [osp.basename(p)[: -len('.py')] for p in paths]


@functools.cache
def _parse(path):
    return Config.fromfile(path)


def _load(path):
    cfg = copy.deepcopy(_parse(path))
    init_default_scope(cfg.get('default_scope', 'mmvssm'))
    return cfg


def _transform(pipeline, name):
    return [t for t in pipeline if t['type'] == name]


def test_configs_exist():
    # 20 Kinetics-400 + 12 SSv2 + 6 UCF101/HMDB51 rows, distillation and the
    # synthetic main job.
    assert len(CONFIGS) == 40


@pytest.mark.parametrize('path', CONFIGS, ids=_ids(CONFIGS))
def test_config_is_consistent(path):
    cfg = _load(path)
    backbone, head = cfg.model.backbone, cfg.model.cls_head
    with torch.device('meta'):
        built = MODELS.build(backbone)
    assert isinstance(built, VideoMamba)
    assert head.in_channels == built.embed_dims
    name = osp.basename(path)
    for size in ('tiny', 'small', 'middle'):
        if name.startswith(f'videomamba-{size}'):
            assert backbone.arch == size, 'the name says another size'
    blending = cfg.model.data_preprocessor.get('blending')
    if blending is not None:
        for augment in blending.augments:
            assert augment.num_classes == head.num_classes
    pipelines = dict(
        train=cfg.train_dataloader.dataset.pipeline,
        val=cfg.val_dataloader.dataset.pipeline,
        test=cfg.test_dataloader.dataset.pipeline,
    )
    for split, pipeline in pipelines.items():
        (sampler,) = _transform(pipeline, 'UniformSample')
        assert sampler.clip_len == backbone.num_frames, split
        Compose(copy.deepcopy(pipeline))  # every transform type resolves
    size = backbone.img_size
    # The last train resize sets the input size; test crops match it.
    assert tuple(_transform(pipelines['train'], 'Resize')[-1].scale) == (
        size,
        size,
    )
    crops = _transform(pipelines['test'], 'ThreeCrop') + _transform(
        pipelines['test'], 'CenterCrop'
    )
    assert [c.crop_size for c in crops] == [size]
    if 'sthv2' in osp.basename(path) or 'synthetic' in osp.basename(path):
        # Direction matters in these labels: no horizontal flip.
        assert not _transform(pipelines['train'], 'Flip')


@pytest.mark.parametrize('path', CONFIGS, ids=_ids(CONFIGS))
def test_config_model_runs_small(path):
    """The config's recognizer, shrunk to a tiny width, trains and tests."""
    cfg = _load(path)
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.backbone.update(arch=TINY, init_cfg=None)
    model_cfg.cls_head.in_channels = TINY['embed_dims']
    if 'teacher' in model_cfg:
        model_cfg.teacher.update(arch=TINY_TEACHER, init_cfg=None)
        model_cfg.distill_head.update(
            in_channels=TINY['embed_dims'],
            out_channels=TINY_TEACHER['embed_dims'],
        )
    model = MODELS.build(model_cfg)
    num_classes = model_cfg.cls_head.num_classes
    rng = np.random.default_rng(0)

    def batch(views, labels):
        inputs = [
            torch.from_numpy(
                rng.integers(0, 256, (views, 3, 4, 32, 32), dtype=np.uint8)
            )
            for _ in labels
        ]
        samples = [ActionDataSample().set_gt_label(lb) for lb in labels]
        return dict(inputs=inputs, data_samples=samples)

    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    if optim_cfg.get('type') == 'AmpOptimWrapper':
        optim_cfg.type = 'OptimWrapper'  # bf16 autocast needs CUDA
        optim_cfg.pop('dtype')
    optim_wrapper = build_optim_wrapper(model, optim_cfg)

    model.train()
    data = model.data_preprocessor(batch(1, [0, num_classes - 1]), True)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_cls'])
    optim_wrapper.update_params(sum(losses[k] for k in losses if 'loss' in k))
    if 'teacher' in model_cfg:
        assert torch.isfinite(losses['loss_distill'])
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(batch(3, [1]), False)
        (pred,) = model(**data, mode='predict')
    assert pred.pred_score.shape == (num_classes,)
    torch.testing.assert_close(pred.pred_score.sum(), torch.tensor(1.0))


def test_kinetics_train_pipeline_on_real_videos(tmp_path):
    """Repeated augmentation + VideoRandAugment + erasing on decoded mp4s."""
    from mmvssm.datasets.motion_render import write_mp4

    cfg = _load(
        osp.join(
            REPO,
            'configs',
            'videomamba',
            'videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb.py',
        )
    )
    rng = np.random.default_rng(0)
    lines = []
    for i in range(2):
        frames = rng.integers(0, 256, (12, 72, 96, 3), dtype=np.uint8)
        write_mp4(str(tmp_path / f'v{i}.mp4'), frames, fps=8)
        lines.append(f'v{i}.mp4 {i}')
    (tmp_path / 'ann.txt').write_text('\n'.join(lines) + '\n')
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset_cfg.update(
        ann_file=str(tmp_path / 'ann.txt'),
        data_prefix=dict(video=str(tmp_path)),
    )
    dataset = DATASETS.build(dataset_cfg)
    items = dataset[1]
    assert len(items) == 2  # two augmentations of one decoded clip
    for item in items:
        assert item['inputs'].shape == (1, 3, 8, 224, 224)
        assert item['data_samples'].gt_label.item() == 1
