# Copyright (c) mmvssm contributors. All rights reserved.
"""Say how much of a model a loaded checkpoint covered.

mmengine loads ``load_from`` and ``init_cfg=dict(type='Pretrained')``
checkpoints with ``strict=False``: a checkpoint of another model loads 0
tensors, logs two long warnings and training goes on from random init.
:func:`fix_checkpoint_matching` wraps mmengine's ``load_state_dict`` (which
both paths use) so that after each load:

* nothing of the model loaded -> :class:`CheckpointMismatchError`, one line
  naming the file and example keys of both sides;
* a backbone tensor not loaded (missing from the checkpoint, or of another
  shape) -> one warning line with the count and the top mismatches;
* only head tensors not loaded -> one info line (expected when fine-tuning
  on other classes).

A tensor counts as loaded when loading changed its values or the checkpoint
has a same-shaped entry under its key (shape mismatches leave a tensor as
it was and are reported as such); this also sees through a model's own
``load_state_dict`` pre-hooks that rename or resize checkpoint entries, as
VideoMamba's do.
"""

import logging
from typing import Callable, Dict, List, Optional

__all__ = [
    'CheckpointMismatchError',
    'check_checkpoint_match',
    'fix_checkpoint_matching',
]

_LAST_FILE: List[Optional[str]] = [None]


class CheckpointMismatchError(RuntimeError):
    """A checkpoint that does not fit the model: one actionable line."""


def _fingerprints(tensors: Dict) -> Dict[str, tuple]:
    import torch

    with torch.no_grad():
        return {
            key: (
                tuple(t.shape),
                float(t.detach().double().sum()),
                float(t.detach().double().abs().sum()),
            )
            for key, t in tensors.items()
            if t is not None and t.is_floating_point()
        }


def _top(keys: List[str], count: int = 3) -> str:
    shown = ', '.join(keys[:count])
    return shown + (
        f' (+{len(keys) - count} more)' if len(keys) > count else ''
    )


def check_checkpoint_match(
    before: Dict[str, tuple],
    after: Dict[str, tuple],
    checkpoint_shapes: Dict[str, tuple],
    filename: Optional[str] = None,
    backbone_prefix: str = 'backbone.',
) -> str:
    """Judge one load from fingerprints taken before and after it.

    Args:
        before (dict): :func:`_fingerprints` of the model before loading.
        after (dict): The same after loading.
        checkpoint_shapes (dict): Key -> shape of the loaded state dict.
        filename (str, optional): The checkpoint, for messages.
        backbone_prefix (str): Keys of the backbone. Defaults to
            ``'backbone.'``; when no key has it, every tensor counts as
            backbone (a backbone's own ``init_cfg``).

    Returns:
        str: The line that was logged ('' when everything loaded).

    Raises:
        CheckpointMismatchError: Nothing of the model was loaded.
    """
    from mmengine.logging import print_log

    name = filename or 'the checkpoint'
    # Unchanged and without a same-shaped entry: not loaded. (Unchanged
    # with one: loaded with the values it had, e.g. frozen weights.)
    unloaded = [
        k
        for k in before
        if before[k] == after.get(k)
        and checkpoint_shapes.get(k) != before[k][0]
    ]
    loaded = len(before) - len(unloaded)
    if not before:
        return ''
    if loaded == 0:
        raise CheckpointMismatchError(
            f"{name} matches none of the model's {len(before)} tensors "
            f'(checkpoint keys: {_top(sorted(checkpoint_shapes))}; model '
            f'keys: {_top(list(before))}); is it a checkpoint of this '
            f'model? Convert official weights with tools/model_converters/'
            f' or fix load_from / init_cfg'
        )
    if not unloaded:
        return ''
    if any(k.startswith(backbone_prefix) for k in before):
        core = [k for k in unloaded if k.startswith(backbone_prefix)]
    else:
        core = unloaded
    if core:
        line = (
            f'{name} loaded {loaded} of {len(before)} tensors; '
            f'{len(core)} backbone tensors were not loaded (missing or of '
            f'another shape): {_top(core)}'
        )
        level = logging.WARNING
    else:
        line = (
            f'{name} loaded {loaded} of {len(before)} tensors; not loaded '
            f'(head, expected when fine-tuning on other classes): '
            f'{_top(unloaded)}'
        )
        level = logging.INFO
    print_log(line, logger='current', level=level)
    return line


def _checked_load_state_dict(original: Callable) -> Callable:
    def load_state_dict(module, state_dict, strict=False, logger=None):
        from mmengine.model import is_model_wrapper

        root = module.module if is_model_wrapper(module) else module
        before = _fingerprints(root.state_dict())
        result = original(module, state_dict, strict, logger)
        after = _fingerprints(root.state_dict())
        shapes = {
            k: tuple(v.shape)
            for k, v in state_dict.items()
            if hasattr(v, 'shape')
        }
        check_checkpoint_match(before, after, shapes, filename=_LAST_FILE[0])
        return result

    load_state_dict._mmvssm_checked = True
    load_state_dict.__doc__ = original.__doc__
    return load_state_dict


def _remembering_load_checkpoint(original: Callable) -> Callable:
    def _load_checkpoint(filename, *args, **kwargs):
        _LAST_FILE[0] = str(filename)
        return original(filename, *args, **kwargs)

    _load_checkpoint._mmvssm_checked = True
    return _load_checkpoint


def fix_checkpoint_matching() -> bool:
    """Wrap mmengine's checkpoint loading with the match check (once).

    Returns:
        bool: Whether the wrappers were installed now.
    """
    import sys

    from mmengine.runner import checkpoint

    if getattr(checkpoint.load_state_dict, '_mmvssm_checked', False):
        return False
    checkpoint.load_state_dict = _checked_load_state_dict(
        checkpoint.load_state_dict
    )
    loader = _remembering_load_checkpoint(checkpoint._load_checkpoint)
    checkpoint._load_checkpoint = loader
    runner_module = sys.modules.get('mmengine.runner.runner')
    if runner_module is not None:  # imported the name already
        runner_module._load_checkpoint = loader
    return True
