# Copyright (c) mmvssm contributors. All rights reserved.
"""Fixtures of the model tests."""

import pytest
import torch
from clip_helpers import build_open_clip


@pytest.fixture
def tiny_open_clip():
    torch.manual_seed(0)
    return build_open_clip()
