# Copyright (c) mmvssm contributors. All rights reserved.
import os
import subprocess
import sys
import textwrap

import pytest
from mmengine.logging import MessageHub
from mmengine.runner.checkpoint import CheckpointLoader

from mmvssm.utils import compat


def run_python(code: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, '-c', textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_import_applies_each_needed_fix_once():
    result = run_python("""
        import sys
        import mmvssm
        from mmvssm.utils import (
            applied_fixes, apply_compat_fixes, pending_fixes)
        # light: the checkpoint fix waits for mmengine.runner's import
        print('torch' in sys.modules, applied_fixes(), pending_fixes())
        print(apply_compat_fixes())  # nothing again
        import mmaction.models  # fails without the drn placeholder
        from mmengine.runner import Runner
        print(applied_fixes(), pending_fixes(), apply_compat_fixes())
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines == [
        "False ['drn'] ['checkpoint', 'message_hub']",
        '[]',
        "['drn', 'message_hub', 'checkpoint'] [] []",
    ]


def test_checkpoint_fix_applies_at_once_when_mmengine_runner_is_loaded():
    # mmaction2's stock tools/train.py imports the Runner before the config's
    # custom_imports bring mmvssm in.
    result = run_python("""
        from mmengine.runner import Runner
        import mmvssm
        from mmvssm.utils import applied_fixes, pending_fixes
        print(applied_fixes(), pending_fixes())
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['drn', 'checkpoint', 'message_hub'] []"


def test_drn_placeholder_raises_clear_error():
    import mmaction.models  # noqa: F401
    from mmaction.models.localizers import DRN

    with pytest.raises(ImportError, match='mmaction2#2714'):
        DRN()


def test_drn_fix_leaves_a_complete_mmaction_alone(tmp_path):
    # A checkout that has the drn folder needs no placeholder.
    drn = tmp_path / 'mmaction' / 'models' / 'localizers' / 'drn'
    drn.mkdir(parents=True)
    (tmp_path / 'mmaction' / '__init__.py').write_text('')
    result = run_python(
        f"""
        import importlib.util, sys
        sys.path.insert(0, {str(tmp_path)!r})
        spec = importlib.util.spec_from_file_location(
            'compat', {compat.__file__!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(module.fix_mmaction_drn(),
              'mmaction.models.localizers.drn' in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['False', 'False']


def test_importlib_metadata_alias_only_when_missing():
    # Installed here (a declared requirement): nothing to do.
    assert compat.fix_importlib_metadata() is False
    # Without site-packages the backport is missing: the alias stands in.
    result = run_python(
        f"""
        import importlib.util, sys
        sys.path = [p for p in sys.path if 'site-packages' not in p]
        spec = importlib.util.spec_from_file_location(
            'compat', {compat.__file__!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        assert importlib.util.find_spec('importlib_metadata') is None
        acted = module.fix_importlib_metadata()
        from importlib_metadata import PackageNotFoundError, distribution
        import importlib.metadata
        print(acted, sys.modules['importlib_metadata'] is importlib.metadata,
              module.fix_importlib_metadata())
        """,
        env={**os.environ, 'PYTHONNOUSERSITE': '1'},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['True', 'True', 'False']


def test_checkpoint_fix_is_not_applied_twice():
    loader = CheckpointLoader._schemes['']
    assert getattr(loader, '_mmvssm_wrapped', False)
    assert compat.fix_checkpoint_loading() is False
    assert CheckpointLoader._schemes[''] is loader


def test_message_hub_fix_is_not_applied_twice():
    state_dict = MessageHub.state_dict
    assert getattr(state_dict, '_mmvssm_wrapped', False)
    assert compat.fix_message_hub_state() is False
    assert MessageHub.state_dict is state_dict
