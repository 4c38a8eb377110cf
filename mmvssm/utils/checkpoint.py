# Copyright (c) mmvssm contributors. All rights reserved.
"""Loading checkpoint files that may come from anyone.

A ``.pth`` file is a pickle, and unpickling can call any function the file
names. Every checkpoint mmvssm reads (``init_cfg=Pretrained``,
``load_from``, ``tools/test.py CONFIG CKPT``, ``--resume``, the model
converters) goes through :func:`load_checkpoint_file`:

1. torch's weights-only unpickler, with nothing added to its allow-list.
   Model weights and every checkpoint written by mmengine's runner with
   mmvssm imported load this way (mmvssm stores the message hub's
   ``HistoryBuffer`` objects as plain tensors, see
   :func:`encode_message_hub_state`).
2. Only when that refuses one of the globals that older runner checkpoints
   name (mmengine's ``HistoryBuffer``, numpy arrays, dtypes and scalars, and
   ``getattr(HistoryBuffer, 'mean')``-style lookups of its statistic
   methods), the same unpickler runs again with those names bound to inert
   stand-ins: ``HistoryBuffer`` becomes a record that only stores the state it
   is given, and ``getattr`` becomes a lookup that accepts nothing but
   ``(HistoryBuffer, 'min' | 'max' | 'current' | 'mean')``. The records are
   then rebuilt into real ``HistoryBuffer`` objects from their validated
   numeric arrays, so no state from the file reaches mmengine's classes.
3. Anything else is refused with one line naming the file and the global.
   A file you trust can be allowed by naming it in the environment variable
   ``MMVSSM_TRUSTED_CHECKPOINTS`` (paths separated by ``os.pathsep``); it is
   then unpickled in full, with a warning.
"""

import os
import os.path as osp
import pickle
import re
from collections import OrderedDict
from typing import Any, Dict, List, Optional

__all__ = [
    'TRUSTED_CHECKPOINTS_ENV',
    'CheckpointError',
    'CheckpointNotFoundError',
    'CorruptCheckpointError',
    'UnsafeCheckpointError',
    'load_checkpoint_file',
    'load_results_file',
    'trusted_checkpoints',
    'numpy_globals',
    'runner_state_globals',
    'encode_message_hub_state',
    'decode_message_hub_state',
]

#: Environment variable listing checkpoint files to unpickle in full.
TRUSTED_CHECKPOINTS_ENV = 'MMVSSM_TRUSTED_CHECKPOINTS'

# The statistic methods that HistoryBuffer registers for itself; pickles of
# mmengine 0.10.7 name them as ``getattr(HistoryBuffer, name)``.
_STATISTICS = ('min', 'max', 'current', 'mean')
# Marks a HistoryBuffer written as plain data by encode_message_hub_state.
_BUFFER_KEY = '__history_buffer__'


class CheckpointError(RuntimeError):
    """A checkpoint file could not be loaded; the message is one line."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """The checkpoint file does not exist."""


class CorruptCheckpointError(CheckpointError):
    """The file is not a readable torch checkpoint (truncated, edited...)."""


class UnsafeCheckpointError(CheckpointError, pickle.UnpicklingError):
    """Unpickling the file would need a global that could run code."""


class _HistoryBufferRecord:
    """Stands in for ``mmengine.logging.HistoryBuffer`` while unpickling.

    It has no behaviour: the unpickler gives it the pickled state, which is
    checked and turned into a real ``HistoryBuffer`` afterwards.
    """

    def __setstate__(self, state: Any) -> None:
        self.state = state


class _StatisticRef:
    """Stands in for ``getattr(HistoryBuffer, name)``: a name, not code."""

    def __init__(self, name: str):
        self.name = name


def _statistic_lookup(owner: Any, name: Any) -> _StatisticRef:
    """The one ``getattr`` that older runner checkpoints need.

    Args:
        owner: Must be the ``HistoryBuffer`` stand-in.
        name: Must be one of HistoryBuffer's own statistic methods.

    Returns:
        _StatisticRef: An inert reference to that method.
    """
    if owner is _HistoryBufferRecord and name in _STATISTICS:
        return _StatisticRef(name)
    described = {
        _statistic_lookup: 'getattr',
        _HistoryBufferRecord: 'HistoryBuffer',
    }
    owner = described.get(owner, type(owner).__name__)
    raise pickle.UnpicklingError(f'getattr({owner}, {name!r})')


def numpy_globals() -> list:
    """numpy's array, dtype and scalar types, as pickles name them.

    ``ndarray``, ``dtype`` and the dtype classes only build arrays and dtypes
    from the (already restricted) values in the file; ``_reconstruct`` makes
    an empty array of an ndarray type and ``scalar`` a scalar of a dtype;
    none of them calls an argument.

    Returns:
        list[tuple]: ``(object, 'module.name')`` pairs, the form
        ``torch.serialization.safe_globals`` takes.
    """
    import numpy as np

    multiarray = getattr(np, '_core', None)
    multiarray = (
        multiarray.multiarray if multiarray is not None else np.core.multiarray
    )
    allowed = [(np.ndarray, 'numpy.ndarray'), (np.dtype, 'numpy.dtype')]
    # numpy 2 writes ``numpy._core``, numpy 1 ``numpy.core``.
    for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        allowed += [
            (multiarray._reconstruct, f'{module}._reconstruct'),
            (multiarray.scalar, f'{module}.scalar'),
        ]
    dtypes = getattr(np, 'dtypes', None)  # numpy >= 1.25
    if dtypes is not None:
        allowed += [
            (getattr(dtypes, name), f'numpy.dtypes.{name}')
            for name in dir(dtypes)
            if name.endswith('DType')
        ]
    return allowed


def runner_state_globals() -> list:
    """The restricted allow-list for older runner checkpoints.

    ``HistoryBuffer`` and ``getattr`` bound to the inert stand-ins above,
    plus :func:`numpy_globals`. None of them can run code.

    Returns:
        list[tuple]: ``(object, 'module.name')`` pairs.
    """
    history_buffer = 'mmengine.logging.history_buffer.HistoryBuffer'
    return [
        (_HistoryBufferRecord, history_buffer),
        (_statistic_lookup, 'builtins.getattr'),
        *numpy_globals(),
    ]


def _runner_global_names() -> set:
    # torch's refusal names builtins without their module ("getattr").
    names = {name for _, name in runner_state_globals()}
    return names | {'getattr'}


def trusted_checkpoints() -> List[str]:
    """The files named in ``MMVSSM_TRUSTED_CHECKPOINTS``, as real paths."""
    value = os.environ.get(TRUSTED_CHECKPOINTS_ENV, '')
    return [osp.realpath(p) for p in value.split(os.pathsep) if p.strip()]


def _refused(err: BaseException) -> str:
    """What torch's weights-only unpickler refused, in a few words."""
    text = str(err)
    found = re.search(r'GLOBAL ([\w.]+)', text)
    if found:
        return found.group(1)
    body = text.split('Check the documentation')[0]
    body = body.split('WeightsUnpickler error:')[-1]
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return lines[-1] if lines else type(err).__name__


def _refusal(filename: str, what: str) -> UnsafeCheckpointError:
    real = osp.realpath(filename)
    return UnsafeCheckpointError(
        f'refusing to load {filename!r}: unpickling it needs {what!r}, which '
        f'weights-only loading does not allow because it could run code; '
        f'only if you trust this file, set {TRUSTED_CHECKPOINTS_ENV}={real}'
    )


def _corrupt(
    filename: str, err: BaseException, what: Optional[str] = None
) -> CorruptCheckpointError:
    if what is None:
        lines = str(err).strip().splitlines() or [type(err).__name__]
        what = lines[0]
    return CorruptCheckpointError(
        f'{filename!r} is not a readable torch checkpoint ({what}); it may '
        f'be truncated or damaged: download or save it again'
    )


def _torch_load(filename: str, map_location, **kwargs) -> Any:
    """``torch.load`` with its failures turned into :class:`CheckpointError`.

    Unpickling refusals stay ``pickle.UnpicklingError`` for the caller.
    """
    import torch

    try:
        return torch.load(filename, map_location=map_location, **kwargs)
    except pickle.UnpicklingError:
        raise
    except Exception as err:  # torch's zip reader and unpickler raise many
        raise _corrupt(filename, err) from None


def load_checkpoint_file(
    filename: str,
    map_location: Optional[Any] = None,
    runner_state: bool = True,
) -> Any:
    """Load a checkpoint file without letting it run code.

    Args:
        filename (str): A local file written by ``torch.save``.
        map_location: Same as :func:`torch.load`. Defaults to None.
        runner_state (bool): Whether an older mmengine runner checkpoint (a
            message hub of ``HistoryBuffer`` objects) may be read through the
            restricted stand-ins. Defaults to True.

    Returns:
        The unpickled object (for runner checkpoints a dict whose
        ``message_hub`` holds real ``HistoryBuffer`` objects).

    Raises:
        CheckpointNotFoundError: The file does not exist.
        CorruptCheckpointError: The file is not a readable checkpoint.
        UnsafeCheckpointError: The file needs a global outside the
            allow-list (and is not named in ``MMVSSM_TRUSTED_CHECKPOINTS``).
    """
    import torch

    filename = osp.expanduser(str(filename))
    if not osp.isfile(filename):
        raise CheckpointNotFoundError(
            f'checkpoint {filename!r} does not exist; check the path (weights '
            f'are local files, e.g. under checkpoints/)'
        )
    if osp.realpath(filename) in trusted_checkpoints():
        from mmengine.logging import print_log

        print_log(
            f'{filename} is named in {TRUSTED_CHECKPOINTS_ENV}: unpickling '
            f'it in full (it can run code)',
            logger='current',
            level=30,
        )
        return _torch_load(filename, map_location, weights_only=False)
    try:
        return _torch_load(filename, map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        what = _refused(err)
        if what.startswith('Unsupported operand'):  # not a pickle of torch's
            raise _corrupt(filename, err, what) from None
        if not runner_state or what not in _runner_global_names():
            raise _refusal(filename, what) from None
    with torch.serialization.safe_globals(runner_state_globals()):
        try:
            checkpoint = _torch_load(filename, map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            raise _refusal(filename, _refused(err)) from None
    return _rebuild_history_buffers(checkpoint, filename)


def _storage_from_bytes(data: Any):
    """Stands in for ``torch.storage._load_from_bytes`` (a full unpickle)."""
    import io

    import torch

    if not isinstance(data, bytes):
        raise pickle.UnpicklingError(
            f'torch.storage._load_from_bytes({type(data).__name__})'
        )
    return torch.load(io.BytesIO(data), weights_only=True)


def load_results_file(filename: str) -> Any:
    """Load a plain pickle of results (``tools/test.py --dump``) safely.

    Such files are written with :func:`pickle.dump`, whose tensors unpickle
    through ``torch.storage._load_from_bytes``, a full ``torch.load``. Here
    torch's weights-only unpickler reads the file, with that one function
    bound to a weights-only version and numpy's array types allowed (see
    :func:`numpy_globals`); anything else is refused in one line.

    Args:
        filename (str): The ``.pkl`` file.

    Returns:
        The unpickled results (for mmaction2, a list of dicts).
    """
    import torch
    from torch._weights_only_unpickler import Unpickler

    if not osp.isfile(filename):
        raise CheckpointNotFoundError(
            f'results file {filename!r} does not exist; write one with '
            f'tools/test.py CONFIG CHECKPOINT --dump {filename}'
        )
    allowed = [
        (_storage_from_bytes, 'torch.storage._load_from_bytes'),
        *numpy_globals(),
    ]
    with open(filename, 'rb') as f, torch.serialization.safe_globals(allowed):
        try:
            return Unpickler(f, encoding='utf-8').load()
        except pickle.UnpicklingError as err:
            what = _refused(err)
            if not what.startswith('Unsupported operand'):
                raise _refusal(filename, what) from None
            problem = err
        except Exception as err:
            what, problem = None, err
    lines = str(problem).strip().splitlines() or [type(problem).__name__]
    raise CorruptCheckpointError(
        f'{filename!r} is not a results pickle that can be read safely '
        f'({what or lines[0]}); write it with tools/test.py --dump'
    )


def _history_buffer(
    log_history: Any, count_history: Any, max_length: Any, filename: str
):
    """A real ``HistoryBuffer`` from checked numeric data."""
    import numpy as np
    from mmengine.logging import HistoryBuffer

    arrays = []
    for value in (log_history, count_history):
        if hasattr(value, 'numpy'):  # a tensor
            value = value.detach().cpu().numpy()
        if not isinstance(value, np.ndarray) or value.dtype.kind not in 'biuf':
            raise CorruptCheckpointError(
                f'{filename!r}: a message-hub buffer holds '
                f'{type(value).__name__} data instead of numbers; the file is '
                f'damaged or was not written by mmengine'
            )
        arrays.append(value.reshape(-1))
    if type(max_length) is not int or max_length < 1:
        raise CorruptCheckpointError(
            f'{filename!r}: a message-hub buffer has max_length '
            f'{max_length!r}; the file is damaged or was not written by '
            f'mmengine'
        )
    if len(arrays[0]) != len(arrays[1]):
        raise CorruptCheckpointError(
            f'{filename!r}: a message-hub buffer has {len(arrays[0])} values '
            f'but {len(arrays[1])} counts; the file is damaged'
        )
    return HistoryBuffer(arrays[0], arrays[1], max_length)


def _rebuild_history_buffers(obj: Any, filename: str) -> Any:
    """Turn every stand-in of a restricted load into the real thing."""
    if isinstance(obj, _HistoryBufferRecord):
        state = getattr(obj, 'state', None)
        if not isinstance(state, dict):
            raise CorruptCheckpointError(
                f'{filename!r}: a message-hub buffer has no state; the file '
                f'is damaged or was not written by mmengine'
            )
        return _history_buffer(
            state.get('_log_history'),
            state.get('_count_history'),
            state.get('max_length'),
            filename,
        )
    if isinstance(obj, _StatisticRef):
        from mmengine.logging import HistoryBuffer

        return getattr(HistoryBuffer, obj.name)
    if isinstance(obj, dict):
        for key, value in obj.items():
            obj[key] = _rebuild_history_buffers(value, filename)
    elif isinstance(obj, list):
        obj[:] = [_rebuild_history_buffers(v, filename) for v in obj]
    elif isinstance(obj, tuple):
        items = [_rebuild_history_buffers(v, filename) for v in obj]
        if any(new is not old for new, old in zip(items, obj)):
            return tuple(items)
    return obj


def encode_message_hub_state(state: Dict) -> Dict:
    """Write a message hub state's ``HistoryBuffer`` objects as plain data.

    Each buffer becomes ``{'__history_buffer__': {'log_history': tensor,
    'count_history': tensor, 'max_length': int}}`` and numpy scalars in
    ``runtime_info`` become Python numbers, so a checkpoint holding the state
    loads with ``torch.load(weights_only=True)`` and nothing allowed.

    Args:
        state (dict): ``MessageHub.state_dict()`` of mmengine.

    Returns:
        dict: The same state with plain values.
    """
    import numpy as np
    import torch
    from mmengine.logging import HistoryBuffer

    state = dict(state)
    scalars = OrderedDict()
    for key, value in state.get('log_scalars', {}).items():
        if isinstance(value, HistoryBuffer):
            log_history, count_history = value.data
            value = {
                _BUFFER_KEY: dict(
                    log_history=torch.from_numpy(np.array(log_history)),
                    count_history=torch.from_numpy(np.array(count_history)),
                    max_length=int(value.max_length),
                )
            }
        scalars[key] = value
    state['log_scalars'] = scalars
    info = OrderedDict()
    for key, value in state.get('runtime_info', {}).items():
        info[key] = value.item() if isinstance(value, np.generic) else value
    state['runtime_info'] = info
    return state


def decode_message_hub_state(state: Dict, filename: str = '') -> Dict:
    """Undo :func:`encode_message_hub_state` (other values pass unchanged).

    Args:
        state (dict): A message hub state from a checkpoint.
        filename (str): Where it came from, for error messages.
            Defaults to ''.

    Returns:
        dict: The state with real ``HistoryBuffer`` objects.
    """
    state = dict(state)
    scalars = OrderedDict()
    for key, value in state.get('log_scalars', {}).items():
        if isinstance(value, dict) and set(value) == {_BUFFER_KEY}:
            data = value[_BUFFER_KEY]
            if not isinstance(data, dict):
                data = {}
            value = _history_buffer(
                data.get('log_history'),
                data.get('count_history'),
                data.get('max_length'),
                filename or 'checkpoint',
            )
        scalars[key] = value
    state['log_scalars'] = scalars
    return state
