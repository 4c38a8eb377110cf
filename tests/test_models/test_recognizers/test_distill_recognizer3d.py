# Copyright (c) mmvssm contributors. All rights reserved.
"""DistillRecognizer3D: frozen teacher, alignment, student-only test."""

import copy

import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import init_default_scope

from mmvssm.models.recognizers import distill_recognizer3d
from mmvssm.registry import MODELS

STUDENT = dict(
    type='VideoMamba',
    arch=dict(embed_dims=32, num_layers=2),
    img_size=32,
    num_frames=2,
)
TEACHER = dict(STUDENT, arch=dict(embed_dims=16, num_layers=1))


def distiller_cfg(teacher_ckpt=None, **teacher):
    teacher_cfg = dict(TEACHER, **teacher)
    if teacher_ckpt is not None:
        teacher_cfg['init_cfg'] = dict(
            type='Pretrained', checkpoint=teacher_ckpt
        )
    return dict(
        type='DistillRecognizer3D',
        backbone=copy.deepcopy(STUDENT),
        cls_head=dict(type='TimeSformerHead', num_classes=3, in_channels=32),
        teacher=teacher_cfg,
        distill_head=dict(
            type='FeatureDistillHead', in_channels=32, out_channels=16
        ),
    )


@pytest.fixture
def teacher_ckpt(tmp_path):
    init_default_scope('mmvssm')
    torch.manual_seed(1)
    teacher = MODELS.build(TEACHER)
    path = tmp_path / 'teacher.pth'
    torch.save(teacher.state_dict(), path)
    return str(path), teacher.state_dict()


def samples(labels):
    return [ActionDataSample().set_gt_label(lb) for lb in labels]


def test_teacher_loaded_frozen_and_distill_loss_decreases(teacher_ckpt):
    path, teacher_state = teacher_ckpt
    torch.manual_seed(0)
    model = MODELS.build(distiller_cfg(path))
    model.init_weights()
    for key, value in teacher_state.items():
        torch.testing.assert_close(model.teacher.state_dict()[key], value)
    assert not any(p.requires_grad for p in model.teacher.parameters())
    model.train()
    assert not model.teacher.training and model.backbone.training

    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=5e-3)
    inputs = torch.randn(4, 1, 3, 2, 32, 32)
    data_samples = samples([0, 1, 2, 0])
    history = []
    for _ in range(8):
        losses = model(inputs, data_samples, mode='loss')
        optimizer.zero_grad()
        (losses['loss_cls'] + losses['loss_distill']).backward()
        optimizer.step()
        history.append(losses['loss_distill'].item())
    assert history[-1] < 0.25 * history[0]
    for key, value in teacher_state.items():
        torch.testing.assert_close(model.teacher.state_dict()[key], value)


def test_inference_uses_the_student_alone():
    torch.manual_seed(0)
    model = MODELS.build(distiller_cfg()).eval()
    plain_cfg = dict(distiller_cfg(), type='Recognizer3D')
    del plain_cfg['teacher'], plain_cfg['distill_head']
    plain = MODELS.build(plain_cfg).eval()
    plain.load_state_dict(model.state_dict(), strict=False)
    inputs = torch.randn(1, 3, 3, 2, 32, 32)
    with torch.no_grad():
        (ours,) = model(inputs, samples([1]), mode='predict')
        (ref,) = plain(inputs, samples([1]), mode='predict')
    torch.testing.assert_close(ours.pred_score, ref.pred_score)


def test_random_teacher_warns(monkeypatch):
    messages = []
    monkeypatch.setattr(
        distill_recognizer3d,
        'print_log',
        lambda msg, *a, **k: messages.append(msg),
    )
    MODELS.build(distiller_cfg()).init_weights()
    assert any('distilled from a random network' in m for m in messages)


def test_neck_is_refused():
    cfg = dict(distiller_cfg(), neck=dict(type='TPN'))
    with pytest.raises(ValueError, match='no neck'):
        MODELS.build(cfg)


def test_token_mismatch_is_explained():
    model = MODELS.build(distiller_cfg(patch_size=8))
    with pytest.raises(ValueError, match='same patch_size'):
        model(torch.randn(2, 1, 3, 2, 32, 32), samples([0, 1]), mode='loss')
