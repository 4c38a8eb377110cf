# Copyright (c) mmvssm contributors. All rights reserved.
"""CosineDistillLoss: 2 - 2 cos, i.e. squared distance of unit vectors."""

import pytest
import torch
import torch.nn.functional as F

from mmvssm.registry import MODELS


def build(**kwargs):
    return MODELS.build(dict(type='CosineDistillLoss', **kwargs))


def test_known_values():
    loss = build()
    e0, e1 = torch.eye(2)
    same = loss(torch.stack([e0, 3 * e1])[None], torch.stack([e0, e1])[None])
    assert same.item() == pytest.approx(0.0, abs=1e-6)
    assert loss(e0[None, None], e1[None, None]).item() == pytest.approx(2.0)
    assert loss(e0[None, None], -e0[None, None]).item() == pytest.approx(4.0)


def test_equals_squared_distance_of_unit_vectors_and_weight():
    gen = torch.Generator().manual_seed(0)
    student = torch.randn(2, 7, 5, generator=gen, requires_grad=True)
    teacher = torch.randn(2, 7, 5, generator=gen, requires_grad=True)
    expected = (
        (F.normalize(student, dim=-1) - F.normalize(teacher, dim=-1))
        .square()
        .sum(-1)
        .mean()
    )
    torch.testing.assert_close(build()(student, teacher), expected)
    weighted = build(loss_weight=0.5)(student, teacher)
    torch.testing.assert_close(weighted, 0.5 * expected)
    weighted.backward()
    assert student.grad is not None and teacher.grad is None


def test_shape_mismatch_is_explained():
    with pytest.raises(ValueError, match='project the student'):
        build()(torch.randn(1, 4, 8), torch.randn(1, 4, 6))
