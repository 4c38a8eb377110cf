# Copyright (c) mmvssm contributors. All rights reserved.
import os
import sys

import pytest
import torch

# mmvssm first: its stack fixes must be in place before mmaction.models.
import mmvssm  # noqa: F401

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``cuda`` when no CUDA device is visible, and tests
    marked ``long`` unless ``MMVSSM_LONG_TESTS=1`` asks for them."""
    skip_long = pytest.mark.skip(reason='long run: set MMVSSM_LONG_TESTS=1')
    if os.environ.get('MMVSSM_LONG_TESTS') != '1':
        for item in items:
            if 'long' in item.keywords:
                item.add_marker(skip_long)
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason='needs a CUDA device')
    for item in items:
        if 'cuda' in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope='session')
def repo_root() -> str:
    """The repository root (tools/ and configs/ live there)."""
    return REPO_ROOT


@pytest.fixture(scope='session')
def python() -> str:
    """The interpreter running the tests, for tool subprocesses."""
    return sys.executable


@pytest.fixture(autouse=True)
def _mmvssm_default_scope():
    """Run every test under the ``mmvssm`` scope, whatever scope a runner
    built by an earlier test left current, so that bare type names resolve
    the same whichever tests ran before."""
    from mmengine.registry import DefaultScope

    with DefaultScope.overwrite_default_scope('mmvssm'):
        yield
