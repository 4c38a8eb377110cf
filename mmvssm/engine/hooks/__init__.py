# Copyright (c) mmvssm contributors. All rights reserved.
from .visualization_hook import VideoVisualizationHook

__all__ = ['VideoVisualizationHook']
