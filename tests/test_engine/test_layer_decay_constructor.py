# Copyright (c) mmvssm contributors. All rights reserved.
"""LayerDecayOptimWrapperConstructor on a VideoMamba recognizer."""

import pytest
import torch
from mmengine.registry import init_default_scope

from mmvssm.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

DEPTH = 3


def build_model():
    init_default_scope('mmvssm')
    return MODELS.build(
        dict(
            type='Recognizer3D',
            backbone=dict(
                type='VideoMamba',
                arch=dict(embed_dims=16, num_layers=DEPTH),
                img_size=32,
                num_frames=2,
            ),
            cls_head=dict(
                type='TimeSformerHead', num_classes=4, in_channels=16
            ),
        )
    )


def build_optimizer(model, **paramwise):
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(
            type='LayerDecayOptimWrapperConstructor',
            optim_wrapper_cfg=dict(
                optimizer=dict(type='AdamW', lr=1.0, weight_decay=0.1)
            ),
            paramwise_cfg=paramwise,
        )
    )
    return constructor(model).optimizer


def settings(optimizer):
    """name -> (lr, weight_decay) of every parameter in the optimizer."""
    out = {}
    for group in optimizer.param_groups:
        for name in group['param_names']:
            out[name] = (group['lr'], group['weight_decay'])
    return out


def test_layer_wise_scales_and_no_decay_tags():
    model = build_model()
    got = settings(
        build_optimizer(
            model,
            layer_decay_rate=0.5,
            bias_decay_mult=0.0,
            flat_decay_mult=0.0,
        )
    )
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert set(got) == trainable
    top = DEPTH + 1  # depths 0 .. DEPTH + 1
    assert got['backbone.patch_embed.proj.weight'] == (0.5**top, 0.1)
    assert got['backbone.pos_embed'] == (
        0.5**top,
        0.0,
    )  # tagged _no_weight_decay
    assert got['backbone.cls_token'] == (0.5**top, 0.0)
    for i in range(DEPTH):
        lr = 0.5 ** (top - i - 1)
        prefix = f'backbone.layers.{i}.'
        assert got[prefix + 'mixer.in_proj.weight'] == (lr, 0.1)
        # A_log is 2-D: only its _no_weight_decay tag keeps it undecayed.
        assert got[prefix + 'mixer.A_log'] == (lr, 0.0)
        assert got[prefix + 'mixer.A_b_log'] == (lr, 0.0)
        assert got[prefix + 'mixer.dt_proj.bias'] == (lr, 0.0)
        assert got[prefix + 'norm.weight'] == (lr, 0.0)
    assert got['backbone.norm_f.weight'] == (1.0, 0.0)
    assert got['backbone.temporal_pos_embedding'] == (1.0, 0.0)
    assert got['cls_head.fc_cls.weight'] == (1.0, 0.1)
    assert got['cls_head.fc_cls.bias'] == (1.0, 0.0)
    # Equal settings share a group: far fewer groups than parameters.
    assert len(build_optimizer(model).param_groups) < len(trainable) // 4


def test_stem_only_matches_released_videomamba():
    model = build_model()
    got = settings(
        build_optimizer(model, layer_decay_rate=0.75, decay_type='stem_only')
    )
    stem = 0.75 ** (DEPTH + 1)
    for name, (lr, _) in got.items():
        is_stem = name in (
            'backbone.cls_token',
            'backbone.pos_embed',
        ) or name.startswith('backbone.patch_embed.')
        assert lr == pytest.approx(stem if is_stem else 1.0), name


def test_custom_keys_frozen_params_and_a_training_step():
    model = build_model()
    model.backbone.layers[0].requires_grad_(False)
    optimizer = build_optimizer(
        model,
        layer_decay_rate=0.9,
        custom_keys={'cls_head': dict(lr_mult=10.0, decay_mult=0.0)},
    )
    got = settings(optimizer)
    assert not any(n.startswith('backbone.layers.0.') for n in got)
    assert got['cls_head.fc_cls.weight'] == (10.0, 0.0)
    before = model.cls_head.fc_cls.weight.detach().clone()
    feats = model.backbone(torch.randn(2, 3, 2, 32, 32))
    model.cls_head(feats).sum().backward()
    optimizer.step()
    assert not torch.equal(before, model.cls_head.fc_cls.weight)


def test_clear_errors():
    with pytest.raises(ValueError, match='decay_type'):
        build_optimizer(build_model(), decay_type='block_wise')
    with pytest.raises(ValueError, match='unknown paramwise_cfg'):
        build_optimizer(build_model(), layer_decay=0.75)
    with pytest.raises(TypeError, match='get_layer_depth'):
        build_optimizer(torch.nn.Linear(2, 2), layer_decay_rate=0.5)
