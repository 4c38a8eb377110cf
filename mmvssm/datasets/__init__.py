# Copyright (c) mmvssm contributors. All rights reserved.
"""Datasets and transforms."""

from .transforms import *  # noqa: F401,F403
