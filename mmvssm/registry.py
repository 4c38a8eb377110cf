# Copyright (c) mmvssm contributors. All rights reserved.
"""mmvssm's registry nodes: one child of every mmaction2 registry.

Each node has ``scope='mmvssm'`` and mmaction2's node as its parent, so under
``default_scope='mmvssm'`` a bare name resolves to mmvssm first, then
mmaction2, then mmengine. Each node imports its parent's modules as well as
its own on first use (a lookup that starts at a child never triggers the
parent's lazy import), which lets a config with ``default_scope='mmvssm'``
name ``Recognizer3D``, ``DecordInit`` or ``AccMetric`` without prefixes and
without ``custom_imports``. From an mmaction2 config, write
``type='mmvssm.VideoMamba'``.
"""

from mmaction import registry as mmaction_registry
from mmengine.registry import Registry

__all__ = [
    'RUNNERS',
    'RUNNER_CONSTRUCTORS',
    'LOOPS',
    'HOOKS',
    'DATASETS',
    'DATA_SAMPLERS',
    'TRANSFORMS',
    'MODELS',
    'MODEL_WRAPPERS',
    'WEIGHT_INITIALIZERS',
    'OPTIMIZERS',
    'OPTIM_WRAPPERS',
    'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS',
    'METRICS',
    'EVALUATOR',
    'TASK_UTILS',
    'VISUALIZERS',
    'VISBACKENDS',
    'LOG_PROCESSORS',
    'INFERENCERS',
    'FUNCTIONS',
    'TOKENIZERS',
]

# mmaction2's FUNCTION node names a module that does not exist
# ('mmaction.mmengine'); importing it would fail, so it is not inherited.
_BROKEN_LOCATIONS = {'mmaction.mmengine'}


def _child(parent: Registry, *own_locations: str) -> Registry:
    """Make mmvssm's child of an mmaction2 registry node.

    Args:
        parent (Registry): The mmaction2 node.
        *own_locations (str): mmvssm modules that register into this node.

    Returns:
        Registry: The child node, scope ``'mmvssm'``.
    """
    inherited = [
        loc for loc in parent._locations if loc not in _BROKEN_LOCATIONS
    ]
    return Registry(
        parent.name,
        parent=parent,
        scope='mmvssm',
        locations=inherited + list(own_locations),
    )


RUNNERS = _child(mmaction_registry.RUNNERS, 'mmvssm.engine')
RUNNER_CONSTRUCTORS = _child(
    mmaction_registry.RUNNER_CONSTRUCTORS, 'mmvssm.engine'
)
LOOPS = _child(mmaction_registry.LOOPS, 'mmvssm.engine')
HOOKS = _child(mmaction_registry.HOOKS, 'mmvssm.engine')

DATASETS = _child(mmaction_registry.DATASETS, 'mmvssm.datasets')
DATA_SAMPLERS = _child(mmaction_registry.DATA_SAMPLERS, 'mmvssm.datasets')
TRANSFORMS = _child(mmaction_registry.TRANSFORMS, 'mmvssm.datasets')

MODELS = _child(mmaction_registry.MODELS, 'mmvssm.models')
MODEL_WRAPPERS = _child(mmaction_registry.MODEL_WRAPPERS, 'mmvssm.models')
WEIGHT_INITIALIZERS = _child(
    mmaction_registry.WEIGHT_INITIALIZERS, 'mmvssm.models'
)
TASK_UTILS = _child(mmaction_registry.TASK_UTILS, 'mmvssm.models')

OPTIMIZERS = _child(mmaction_registry.OPTIMIZERS, 'mmvssm.engine')
OPTIM_WRAPPERS = _child(mmaction_registry.OPTIM_WRAPPERS, 'mmvssm.engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child(
    mmaction_registry.OPTIM_WRAPPER_CONSTRUCTORS, 'mmvssm.engine'
)
PARAM_SCHEDULERS = _child(mmaction_registry.PARAM_SCHEDULERS, 'mmvssm.engine')

METRICS = _child(mmaction_registry.METRICS, 'mmvssm.evaluation')
EVALUATOR = _child(mmaction_registry.EVALUATOR)

VISUALIZERS = _child(mmaction_registry.VISUALIZERS)
VISBACKENDS = _child(mmaction_registry.VISBACKENDS)
LOG_PROCESSORS = _child(mmaction_registry.LOG_PROCESSORS, 'mmvssm.engine')
INFERENCERS = _child(mmaction_registry.INFERENCERS)
FUNCTIONS = _child(mmaction_registry.FUNCTION, 'mmvssm.datasets')
TOKENIZERS = _child(mmaction_registry.TOKENIZER, 'mmvssm.models')
