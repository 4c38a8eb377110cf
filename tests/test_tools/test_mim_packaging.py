# Copyright (c) mmvssm contributors. All rights reserved.
"""The wheel carries configs/, tools/ and model-index.yml the mim way."""

import glob
import importlib.util
import os
import os.path as osp
import shutil
import subprocess
import zipfile

import pytest
import yaml


@pytest.fixture(scope='module')
def installed(tmp_path_factory, repo_root, python):
    """mmvssm built as a wheel and installed into a folder of its own."""
    folder = tmp_path_factory.mktemp('mim')
    # Build from a copy of the tracked files: the build writes mmvssm/.mim
    # and build/, which must not appear in the working tree.
    source = folder / 'source'
    tracked = subprocess.run(
        ['git', 'ls-files'], cwd=repo_root, check=True,
        capture_output=True, text=True,
    ).stdout.splitlines()  # fmt: skip
    for rel in tracked:
        if osp.isfile(osp.join(repo_root, rel)):
            (source / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(osp.join(repo_root, rel), source / rel)
    subprocess.run(
        [python, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation',
         '-q', '-w', str(folder / 'wheel'), str(source)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    (wheel,) = glob.glob(str(folder / 'wheel' / 'mmvssm-*.whl'))
    target = str(folder / 'site')
    subprocess.run(
        [python, '-m', 'pip', 'install', '--no-deps', '-q', '--target',
         target, wheel],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return dict(wheel=wheel, site=target)


def test_wheel_holds_every_config_and_tool(installed, repo_root):
    names = set(zipfile.ZipFile(installed['wheel']).namelist())
    for pattern in ('configs/**/*.py', 'configs/**/*.yml', 'tools/**/*.py'):
        for path in glob.glob(osp.join(repo_root, pattern), recursive=True):
            rel = osp.relpath(path, repo_root)
            assert f'mmvssm/.mim/{rel}' in names, rel
    assert 'mmvssm/.mim/model-index.yml' in names
    assert not [n for n in names if n.endswith('.pyc')]
    # The index's imports resolve inside the installed package.
    mim_root = osp.join(installed['site'], 'mmvssm', '.mim')
    with open(osp.join(mim_root, 'model-index.yml')) as f:
        for path in yaml.safe_load(f)['Import']:
            assert osp.isfile(osp.join(mim_root, path)), path


def test_installed_tools_run(installed, python):
    train = osp.join(installed['site'], 'mmvssm', '.mim', 'tools', 'train.py')
    result = subprocess.run(
        [python, train, '--help'],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, 'PYTHONPATH': installed['site']},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'config' in result.stdout


@pytest.mark.skipif(
    importlib.util.find_spec('mim') is None, reason='needs openmim'
)
def test_mim_search_lists_the_model_index(installed, python):
    pythonpath = os.pathsep.join(
        [installed['site'], os.environ.get('PYTHONPATH', '')]
    )
    result = subprocess.run(
        [python, '-m', 'mim', 'search', 'mmvssm'],
        cwd=osp.dirname(installed['site']),  # no checkout on sys.path[0]
        capture_output=True, text=True, timeout=300,
        env={**os.environ, 'PYTHONPATH': pythonpath},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb' in (
        result.stdout
    )
