# Copyright (c) mmvssm contributors. All rights reserved.
"""Fixes for the released OpenMMLab stack, applied once on ``import mmvssm``.

Each fix checks whether it is needed and acts only then, so a later upstream
release that repairs the problem makes the fix a no-op. The fixes are:

* ``drn``: the mmaction2 1.2.0 wheel and sdist lack the
  ``mmaction/models/localizers/drn`` package (it has no ``__init__.py``, so
  ``find_packages`` dropped it), and ``import mmaction.models`` fails. A
  placeholder is put in ``sys.modules`` only when the folder is missing.
* ``importlib_metadata``: ``mmaction.utils.dependency`` imports the backport,
  which mmaction2 does not declare. When it is absent, the standard library's
  ``importlib.metadata`` stands in for it.
* ``checkpoint``: mmengine 0.10.7 loads local checkpoint files with a bare
  ``torch.load``, which under torch >= 2.6 refuses the runner's own
  checkpoints and under any looser setting lets a crafted file run code. The
  local-file loader is replaced by :mod:`mmvssm.utils.checkpoint`'s
  weights-only loader (see there for what it allows and why).
* ``message_hub``: the runner pickles mmengine ``HistoryBuffer`` objects into
  every checkpoint; ``MessageHub`` is taught to store them as plain tensors,
  so the checkpoints mmvssm writes load weights-only with nothing allowed.
Both wait until their mmengine module is first imported, so that
``import mmvssm`` does not import torch.
"""

import functools
import importlib
import importlib.abc
import importlib.util
import os.path as osp
import sys
import types
from typing import Callable, Dict, List, Optional, Tuple

__all__ = [
    'apply_compat_fixes',
    'applied_fixes',
    'fix_mmaction_drn',
    'fix_importlib_metadata',
    'fix_checkpoint_loading',
    'fix_message_hub_state',
    'pending_fixes',
]

# Names of the fixes that have acted in this process, in order.
_APPLIED: List[str] = []


def _package_dir(name: str):
    """Return the folder of an importable package without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def fix_mmaction_drn() -> bool:
    """Stand in for ``mmaction.models.localizers.drn`` when it is missing.

    Returns:
        bool: Whether the placeholder was installed.
    """
    name = 'mmaction.models.localizers.drn'
    if name in sys.modules:
        return False
    mmaction_dir = _package_dir('mmaction')
    if mmaction_dir is None:
        return False
    if osp.isdir(osp.join(mmaction_dir, 'models', 'localizers', 'drn')):
        return False

    class DRN:
        """Placeholder for mmaction2's DRN localizer, absent from its wheel."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'mmaction.models.localizers.drn is missing from the installed '
                'mmaction2 1.2.0 package (open-mmlab/mmaction2#2714); install '
                'mmaction2 from a source checkout to use DRN.'
            )

    package = types.ModuleType(name)
    package.__path__ = []  # a package, so that ``.drn.drn`` resolves
    module = types.ModuleType(f'{name}.drn')
    module.DRN = DRN
    package.drn = module
    sys.modules[name] = package
    sys.modules[f'{name}.drn'] = module
    return True


def fix_importlib_metadata() -> bool:
    """Alias ``importlib_metadata`` to ``importlib.metadata`` when absent.

    Returns:
        bool: Whether the alias was installed.
    """
    if 'importlib_metadata' in sys.modules:
        return False
    if importlib.util.find_spec('importlib_metadata') is not None:
        return False
    sys.modules['importlib_metadata'] = importlib.import_module(
        'importlib.metadata'
    )
    return True


def fix_checkpoint_loading() -> bool:
    """Route mmengine's local checkpoint files through the safe loader.

    mmengine 0.10.7 reads local files with a bare ``torch.load``: under
    torch >= 2.6 that refuses its own runner checkpoints, and with an
    allow-list widened to read them (or under torch < 2.6) a crafted file can
    run code. The local scheme of ``CheckpointLoader`` (used by
    ``init_cfg=Pretrained``, ``load_from``, ``tools/test.py`` and
    ``--resume``) is replaced by :func:`mmvssm.utils.checkpoint.
    load_checkpoint_file`, which loads weights-only and refuses anything that
    could run code.

    Returns:
        bool: Whether the local-file loader was replaced.
    """
    from mmengine.runner.checkpoint import CheckpointLoader

    from .checkpoint import load_checkpoint_file

    original = CheckpointLoader._schemes.get('')
    if getattr(original, '_mmvssm_wrapped', False):
        return False

    def load_local_checkpoint(filename: str, map_location=None):
        """Load a local checkpoint file weights-only (mmvssm's loader)."""
        return load_checkpoint_file(filename, map_location=map_location)

    load_local_checkpoint._mmvssm_wrapped = True
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True
    )
    return True


def fix_message_hub_state() -> bool:
    """Store the message hub's ``HistoryBuffer`` objects as plain data.

    mmengine pickles the ``HistoryBuffer`` objects themselves (with numpy
    arrays and ``getattr`` lookups of their methods) into every checkpoint,
    so the file cannot be loaded weights-only. With this fix
    ``MessageHub.state_dict`` writes them as tensors and ints
    (:func:`mmvssm.utils.checkpoint.encode_message_hub_state`) and
    ``MessageHub.load_state_dict`` reads both that form and the old one.

    Returns:
        bool: Whether ``MessageHub`` was patched.
    """
    # Not ``mmengine.logging``: this runs while that package imports it.
    from mmengine.logging.message_hub import MessageHub

    from .checkpoint import decode_message_hub_state, encode_message_hub_state

    if getattr(MessageHub.state_dict, '_mmvssm_wrapped', False):
        return False
    state_dict = MessageHub.state_dict
    load_state_dict = MessageHub.load_state_dict

    @functools.wraps(state_dict)
    def plain_state_dict(self) -> dict:
        return encode_message_hub_state(state_dict(self))

    @functools.wraps(load_state_dict)
    def load_plain_state_dict(self, state) -> None:
        if isinstance(state, dict):
            state = decode_message_hub_state(state)
        load_state_dict(self, state)

    plain_state_dict._mmvssm_wrapped = True
    MessageHub.state_dict = plain_state_dict
    MessageHub.load_state_dict = load_plain_state_dict
    return True


class _AfterImportLoader(importlib.abc.Loader):
    """Runs a callback once the module it loads has executed."""

    def __init__(self, loader: importlib.abc.Loader, callback: Callable):
        self._loader = loader
        self._callback = callback

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        self._callback()

    def __getattr__(self, name: str):  # get_source, get_filename, ...
        return getattr(self._loader, name)


class _AfterImportHook(importlib.abc.MetaPathFinder):
    """Calls ``callback`` right after ``module_name`` is first imported.

    Lets a fix of a heavy module (``mmengine.runner`` imports torch and
    most of mmengine) wait until something imports it, so that
    ``import mmvssm`` itself stays light.
    """

    def __init__(self, module_name: str, callback: Callable):
        self.module_name = module_name
        self.callback = callback

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.module_name:
            return None
        sys.meta_path.remove(self)  # one shot; also stops recursion below
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _AfterImportLoader(spec.loader, self.callback)
        return spec


# name -> (fix, module whose import triggers it, or None for at once).
# Order matters: ``drn`` and ``importlib_metadata`` must be in place before
# anything imports ``mmaction.models``.
_FIXES: Dict[str, Tuple[Callable[[], bool], Optional[str]]] = {
    'drn': (fix_mmaction_drn, None),
    'importlib_metadata': (fix_importlib_metadata, None),
    'checkpoint': (fix_checkpoint_loading, 'mmengine.runner.checkpoint'),
    'message_hub': (fix_message_hub_state, 'mmengine.logging.message_hub'),
}
_DEFERRED: Dict[str, _AfterImportHook] = {}


def _run_fix(name: str) -> bool:
    _DEFERRED.pop(name, None)
    if name in _APPLIED or not _FIXES[name][0]():
        return False
    _APPLIED.append(name)
    return True


def apply_compat_fixes() -> List[str]:
    """Apply every fix that is needed and has not acted yet.

    A fix of a module that is not imported yet waits for its import (an
    import hook runs it right after), so this stays cheap.

    Returns:
        list[str]: The names of the fixes that acted in this call.
    """
    acted = []
    for name, (_, trigger) in _FIXES.items():
        if name in _APPLIED or name in _DEFERRED:
            continue
        if trigger is None or trigger in sys.modules:
            if _run_fix(name):
                acted.append(name)
        else:
            hook = _AfterImportHook(trigger, functools.partial(_run_fix, name))
            _DEFERRED[name] = hook
            sys.meta_path.insert(0, hook)
    return acted


def applied_fixes() -> List[str]:
    """Names of the fixes that have acted in this process, in order."""
    return list(_APPLIED)


def pending_fixes() -> List[str]:
    """Names of the fixes waiting for the import of the module they fix."""
    return list(_DEFERRED)
