# Copyright (c) mmvssm contributors. All rights reserved.
"""Hostile checkpoint files for the loader tests.

Every payload, once unpickled in full (``torch.load(weights_only=False)``),
creates a marker file; the tests check that mmvssm's loaders refuse each one
with nothing executed. The files are real ``torch.save`` archives shaped like
mmengine runner checkpoints, with the payload nested where a real file has
``meta``, ``message_hub``, optimizer or scheduler state.
"""

import builtins
import io
import os
import subprocess
import zipfile
from collections import OrderedDict
from typing import Callable, Dict, List, Tuple

import torch
from torch._tensor import _rebuild_from_type_v2
from torch._weights_only_unpickler import _get_allowed_globals

__all__ = [
    'Call',
    'payloads',
    'runner_checkpoint',
    'write_hostile',
    'write_edited_zip',
    'LOCATIONS',
]


class Call:
    """Pickles as ``func(*args)``; ``func`` may itself be a ``Call``."""

    def __init__(self, func, *args):
        self.func = func
        self.args = args

    def __reduce__(self):
        return (self.func, self.args)

    def __call__(self, *args):  # pickle wants a callable ``func``
        raise AssertionError('a payload is never called while pickling')


def _touch_code(marker: str) -> str:
    return f'open({marker!r}, "w").close()'


def _builtins_via_getattr() -> Call:
    """``getattr(getattr, '__self__')``: the builtins module."""
    return Call(getattr, getattr, '__self__')


def _exec_via(new_type, marker: str) -> Call:
    """The issue's exploit: torch's ``_rebuild_from_type_v2`` calls ``exec``.

    ``exec`` is reached through ``getattr`` from the builtins module;
    ``_rebuild_from_type_v2(func, new_type, args, state)`` runs
    ``func(*args)`` before it looks at ``new_type``.
    """
    exec_fn = Call(getattr, _builtins_via_getattr(), 'exec')
    return Call(
        _rebuild_from_type_v2, exec_fn, new_type, (_touch_code(marker),), {}
    )


def _allowed_callables() -> List[Tuple[str, Callable]]:
    """The callables of torch's default weights-only allow-list."""
    return sorted(
        (name, obj)
        for name, obj in _get_allowed_globals().items()
        if callable(obj)
    )


def payloads(marker: str) -> Dict[str, object]:
    """Every payload, by name; each creates ``marker`` when unpickled.

    Args:
        marker (str): The file a payload creates.

    Returns:
        dict[str, object]: Objects to embed in a checkpoint.
    """
    code = _touch_code(marker)
    found = {
        'os.system': Call(os.system, f'touch {marker}'),
        'subprocess.check_call': Call(
            subprocess.check_call, ['touch', marker]
        ),
        'eval': Call(eval, code),
        'exec': Call(exec, code),
        'builtins.__import__': Call(
            Call(getattr, Call(builtins.__import__, 'os'), 'system'),
            f'touch {marker}',
        ),
        'getattr-chain': _exec_via(torch.Tensor, marker),
    }
    # The same chain once for each callable torch allows by default, used as
    # the ``new_type`` it is given: allowed callables do not make it safe.
    for name, obj in _allowed_callables():
        found[f'getattr-chain-via:{name}'] = _exec_via(
            Call(getattr, obj, '__class__'), marker
        )
    return found


# Where a payload can sit in a runner checkpoint.
LOCATIONS = ('state_dict', 'meta', 'message_hub', 'optimizer', 'schedulers')


def runner_checkpoint(payload=None, location: str = 'meta') -> dict:
    """A checkpoint shaped like mmengine's, optionally with a payload.

    Args:
        payload: The object to nest in it. Defaults to None.
        location (str): One of :data:`LOCATIONS`. Defaults to 'meta'.

    Returns:
        dict: The checkpoint.
    """
    checkpoint = dict(
        meta=dict(epoch=1, iter=4, seed=0, experiment_name='hostile'),
        state_dict=OrderedDict(weight=torch.ones(2)),
        message_hub=dict(
            log_scalars=OrderedDict(),
            runtime_info=OrderedDict(epoch=1),
            resumed_keys=OrderedDict(epoch=True),
        ),
        optimizer=dict(state={}, param_groups=[dict(lr=0.1, params=[0])]),
        param_schedulers=[dict(last_step=4, base_values=[0.1])],
    )
    if payload is not None:
        where = {
            'state_dict': checkpoint['state_dict'],
            'meta': checkpoint['meta'],
            'message_hub': checkpoint['message_hub']['runtime_info'],
            'optimizer': checkpoint['optimizer']['param_groups'][0],
            'schedulers': checkpoint['param_schedulers'][0],
        }[location]
        where['payload'] = payload
    return checkpoint


def write_hostile(path: str, payload, location: str = 'meta') -> str:
    """Save a runner-shaped checkpoint with ``payload`` at ``location``."""
    torch.save(runner_checkpoint(payload, location), path)
    return path


def write_edited_zip(path: str, marker: str) -> str:
    """A real checkpoint whose ``data.pkl`` was replaced after saving.

    The archive stays a valid zip (the entry is rewritten, CRCs and all), as
    an attacker editing a downloaded file would leave it.
    """
    buffer = io.BytesIO()
    torch.save(runner_checkpoint(), buffer)
    hostile = io.BytesIO()
    torch.save(runner_checkpoint(payloads(marker)['os.system']), hostile)
    with zipfile.ZipFile(hostile) as source:
        pickle_bytes = next(
            source.read(n) for n in source.namelist() if n.endswith('data.pkl')
        )
    with (
        zipfile.ZipFile(buffer) as original,
        zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as edited,
    ):
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename.endswith('data.pkl'):
                data = pickle_bytes
            edited.writestr(info, data)
    return path
