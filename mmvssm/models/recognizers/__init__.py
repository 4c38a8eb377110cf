# Copyright (c) mmvssm contributors. All rights reserved.
"""Recognizers (only what mmaction2 lacks)."""

from .distill_recognizer3d import DistillRecognizer3D

__all__ = ['DistillRecognizer3D']
from .video_text_recognizer import VideoTextRecognizer  # noqa: E402

__all__ += ['VideoTextRecognizer']
from .msta_recognizer import MSTARecognizer  # noqa: E402

__all__ += ['MSTARecognizer']

from .moma_recognizer import MoMaRecognizer  # noqa: E402

__all__ += ['MoMaRecognizer']

from .umt_pretrainer import UMTPretrainer  # noqa: E402

__all__ += ['UMTPretrainer']
from .video_text_retriever import VideoTextRetriever  # noqa: E402

__all__ += ['VideoTextRetriever']
