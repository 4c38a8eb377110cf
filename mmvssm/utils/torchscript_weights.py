# Copyright (c) mmvssm contributors. All rights reserved.
"""Read the tensors of a TorchScript archive without running it.

OpenAI released CLIP as TorchScript archives (``ViT-B-16.pt``, ...).
``torch.jit.load`` would compile and run the archive's code, so an archive
from outside must never reach it. A TorchScript archive is a zip file:
``<prefix>/data.pkl`` pickles the module tree (one ``__torch__.*`` object
per module whose state is a dict of its attributes) and the tensors'
storages lie under ``<prefix>/data/<key>``. :func:`read_torchscript_state_dict`
unpickles ``data.pkl`` with an allow-list (inert placeholders for the
``__torch__.*`` module classes; our own stand-ins for torch's tensor-rebuild
functions, storage type names and TorchScript's list builders;
``collections.OrderedDict``; any other global is refused),
reads the storages straight from the zip and flattens the module tree into
a ``{'visual.conv1.weight': tensor, ...}`` state dict. Nothing from the
archive is executed.
"""

import os.path as osp
import pickle
import zipfile
from collections import OrderedDict
from typing import Dict, Optional

__all__ = [
    'TorchScriptReadError',
    'is_torchscript_archive',
    'read_torchscript_state_dict',
]

_STORAGE_DTYPES = {
    'FloatStorage': 'float32',
    'DoubleStorage': 'float64',
    'HalfStorage': 'float16',
    'BFloat16Storage': 'bfloat16',
    'LongStorage': 'int64',
    'IntStorage': 'int32',
    'ShortStorage': 'int16',
    'CharStorage': 'int8',
    'ByteStorage': 'uint8',
    'BoolStorage': 'bool',
}


_JIT_LIST_BUILDERS = (
    'build_intlist',
    'build_doublelist',
    'build_boollist',
    'build_tensorlist',
)


class TorchScriptReadError(ValueError):
    """An archive that is not a plain TorchScript weight archive."""


class _ScriptObject:
    """Inert stand-in for a pickled ``__torch__.*`` module object."""

    __slots__ = ('state',)

    def __init__(self, *args, **kwargs):
        self.state = None

    def __setstate__(self, state) -> None:
        self.state = state


class _StorageType:
    """Stand-in for ``torch.<Type>Storage`` inside a persistent id."""

    def __init__(self, name: str):
        self.name = name


def _find_data_pkl(names) -> Optional[str]:
    """The archive's ``<prefix>/data.pkl`` entry (prefix is one folder)."""
    for name in names:
        parts = name.split('/')
        if len(parts) == 2 and parts[1] == 'data.pkl':
            return name
    return None


def is_torchscript_archive(path: str) -> bool:
    """Whether ``path`` is a zip holding ``<prefix>/data.pkl`` and code.

    Args:
        path (str): The file.

    Returns:
        bool: True for a TorchScript archive (``torch.jit.save`` output),
        False for a ``torch.save`` file or anything else.
    """
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    data_pkl = _find_data_pkl(names)
    if data_pkl is None:
        return False
    prefix = data_pkl.split('/')[0]
    return any(
        n.startswith(f'{prefix}/code/') or n == f'{prefix}/constants.pkl'
        for n in names
    )


def _make_unpickler(path: str, zf: zipfile.ZipFile, prefix: str, data):
    import torch

    def rebuild_tensor(storage, offset, size, stride, *unused):
        if not isinstance(storage, torch.Tensor):
            raise TorchScriptReadError(
                f'{path}: a tensor in data.pkl does not point at a storage'
            )
        return storage.as_strided(tuple(size), tuple(stride), int(offset))

    def rebuild_parameter(tensor, *unused):
        return tensor

    allowed = {
        ('torch._utils', '_rebuild_tensor_v2'): rebuild_tensor,
        ('torch._utils', '_rebuild_tensor'): rebuild_tensor,
        ('torch._utils', '_rebuild_parameter'): rebuild_parameter,
        ('collections', 'OrderedDict'): OrderedDict,
        # Scripted modules pickle list/typed attributes (conv strides, ...)
        # through these builders; ours only copy the value.
        ('torch.jit._pickle', 'restore_type_tag'): lambda value, *_: value,
    }
    for builder in _JIT_LIST_BUILDERS:
        allowed[('torch.jit._pickle', builder)] = list
    storages: Dict = {}
    placeholders: Dict[str, type] = {}

    class _Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str):
            if module == '__torch__' or module.startswith('__torch__.'):
                key = f'{module}.{name}'
                if key not in placeholders:
                    placeholders[key] = type(name, (_ScriptObject,), {})
                return placeholders[key]
            if module == 'torch' and name in _STORAGE_DTYPES:
                return _StorageType(name)
            if (module, name) in allowed:
                return allowed[(module, name)]
            raise TorchScriptReadError(
                f'{path}: refusing to load the global {module}.{name} '
                f'from {prefix}/data.pkl; a weight archive needs only '
                f'tensors (is this file really a CLIP .pt?)'
            )

        def persistent_load(self, pid):
            if not (
                isinstance(pid, tuple)
                and len(pid) == 5
                and pid[0] == 'storage'
                and isinstance(pid[1], _StorageType)
            ):
                raise TorchScriptReadError(
                    f'{path}: unexpected persistent id {pid!r} in data.pkl'
                )
            _, storage_type, key, _location, numel = pid
            key = str(key)
            if key not in storages:
                record = f'{prefix}/data/{key}'
                try:
                    raw = zf.read(record)
                except KeyError:
                    raise TorchScriptReadError(
                        f'{path}: storage {record} is missing'
                    ) from None
                dtype = getattr(torch, _STORAGE_DTYPES[storage_type.name])
                flat = torch.frombuffer(bytearray(raw), dtype=dtype)
                if flat.numel() < int(numel):
                    raise TorchScriptReadError(
                        f'{path}: storage {record} is truncated'
                    )
                storages[key] = flat
            return storages[key]

    return _Unpickler(data)


def _flatten(obj, prefix: str, out: Dict, seen: set) -> None:
    import torch

    if id(obj) in seen:
        return
    seen.add(id(obj))
    state = obj.state
    if not isinstance(state, dict):
        return
    for name, value in state.items():
        if not isinstance(name, str):
            continue
        key = f'{prefix}{name}'
        if isinstance(value, torch.Tensor):
            out[key] = value
        elif isinstance(value, _ScriptObject):
            _flatten(value, f'{key}.', out, seen)


def read_torchscript_state_dict(path: str) -> Dict:
    """Read a TorchScript archive's tensors as a flat state dict.

    Args:
        path (str): A ``torch.jit.save`` archive, e.g. OpenAI's
            ``ViT-B-16.pt``.

    Returns:
        dict[str, torch.Tensor]: Every tensor attribute of the module tree
        (parameters, buffers and tensor attributes), named by its dotted
        path, in the archive's dtype, on the CPU.

    Raises:
        TorchScriptReadError: The file is no TorchScript archive, is broken,
            or its ``data.pkl`` names a global outside the allow-list.
    """
    import io

    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: no such file')
    if not zipfile.is_zipfile(path):
        raise TorchScriptReadError(f'{path}: not a zip (TorchScript) archive')
    with zipfile.ZipFile(path) as zf:
        data_pkl = _find_data_pkl(zf.namelist())
        if data_pkl is None:
            raise TorchScriptReadError(
                f'{path}: no <prefix>/data.pkl; not a TorchScript archive'
            )
        prefix = data_pkl.split('/')[0]
        byteorder = f'{prefix}/byteorder'
        if byteorder in zf.namelist():
            order = zf.read(byteorder).decode(errors='replace').strip()
            if order != 'little':
                raise TorchScriptReadError(
                    f'{path}: {order}-endian archives are not supported'
                )
        try:
            root = _make_unpickler(
                path, zf, prefix, io.BytesIO(zf.read(data_pkl))
            ).load()
        except TorchScriptReadError:
            raise
        except Exception as e:  # broken pickle stream, bad zip member, ...
            raise TorchScriptReadError(
                f'{path}: cannot read {data_pkl} ({type(e).__name__}: {e})'
            ) from None
    if not isinstance(root, _ScriptObject):
        raise TorchScriptReadError(
            f'{path}: data.pkl holds {type(root).__name__}, not a module'
        )
    out: Dict = OrderedDict()
    _flatten(root, '', out, set())
    return out
