# Copyright (c) mmvssm contributors. All rights reserved.
from .annotate import draw_prediction, write_video

__all__ = ['draw_prediction', 'write_video']
