# Copyright (c) mmvssm contributors. All rights reserved.
"""Hooks: data checks."""

from .data_check_hook import DataCheckHook

__all__ = ['DataCheckHook']
