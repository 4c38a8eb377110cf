# Copyright (c) mmvssm contributors. All rights reserved.
import inspect

import pytest
from mmaction import registry as mmaction_registry
from mmengine.config import Config
from mmengine.registry import DefaultScope, Registry

from mmvssm import registry as mmvssm_registry


def mmaction_nodes():
    return [
        node
        for _, node in inspect.getmembers(mmaction_registry)
        # mmaction's own nodes, not the mmengine roots it imports
        if isinstance(node, Registry) and node.scope == 'mmaction'
    ]


@pytest.mark.parametrize('parent', mmaction_nodes(), ids=lambda n: n.name)
def test_every_mmaction_node_has_an_mmvssm_child(parent):
    child = parent._children.get('mmvssm')
    assert child is not None, f'no mmvssm child of {parent.name}'
    assert child.scope == 'mmvssm'
    assert child in vars(mmvssm_registry).values()
    # the child imports its parent's modules too (a lookup that starts at
    # the child never triggers the parent's lazy import)
    assert set(parent._locations) - {'mmaction.mmengine'} <= set(
        child._locations
    )


@pytest.mark.parametrize(
    'registry, name',
    [
        (mmvssm_registry.MODELS, 'Recognizer3D'),
        (mmvssm_registry.MODELS, 'TimeSformerHead'),
        (mmvssm_registry.MODELS, 'VideoMamba'),
        (mmvssm_registry.DATASETS, 'VideoDataset'),
        (mmvssm_registry.DATASETS, 'SyntheticMotionDataset'),
        (mmvssm_registry.TRANSFORMS, 'DecordInit'),
        (mmvssm_registry.METRICS, 'AccMetric'),
        (mmvssm_registry.VISUALIZERS, 'ActionVisualizer'),
        (mmvssm_registry.HOOKS, 'CheckpointHook'),
        (mmvssm_registry.PARAM_SCHEDULERS, 'CosineAnnealingLR'),
        (
            mmvssm_registry.OPTIM_WRAPPER_CONSTRUCTORS,
            'LearningRateDecayOptimizerConstructor',
        ),
        (mmvssm_registry.FUNCTIONS, 'pseudo_collate'),
    ],
)
def test_bare_names_resolve_under_mmvssm_scope(registry, name):
    with DefaultScope.overwrite_default_scope('mmvssm'):
        assert registry.get(name) is not None, name


def test_mmaction_config_uses_mmvssm_through_custom_imports(tmp_path):
    # A stock mmaction2 config: default_scope 'mmaction', mmvssm imported
    # through custom_imports and its classes named with the 'mmvssm.' prefix.
    config = tmp_path / 'stock_mmaction_config.py'
    config.write_text(
        """
default_scope = 'mmaction'
custom_imports = dict(imports=['mmvssm'], allow_failed_imports=False)
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='mmvssm.VideoMamba',
        arch=dict(embed_dims=16, num_layers=2),
        img_size=32,
        num_frames=2),
    cls_head=dict(type='TimeSformerHead', num_classes=3, in_channels=16))
"""
    )
    cfg = Config.fromfile(str(config))
    from mmaction.registry import MODELS

    with DefaultScope.overwrite_default_scope('mmaction'):
        with pytest.raises(KeyError):  # bare name: not in mmaction's scope
            MODELS.build(
                dict(type='VideoMamba', arch=dict(embed_dims=16, num_layers=2))
            )
        model = MODELS.build(cfg.model)
    backbone_cls = type(model.backbone)
    assert backbone_cls.__module__.startswith('mmvssm.')
    assert type(model).__module__.startswith('mmaction.')
