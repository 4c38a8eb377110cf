# Copyright (c) mmvssm contributors. All rights reserved.
"""Loops."""

from .loops import TestLoop, ValLoop, drop_skipped

__all__ = ['TestLoop', 'ValLoop', 'drop_skipped']
