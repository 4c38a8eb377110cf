# Copyright (c) mmvssm contributors. All rights reserved.
"""A video-text recognizer on a frozen image/video-language foundation."""

from typing import Iterable, Union

from mmaction.models.recognizers import Recognizer3D

from mmvssm.registry import MODELS

from ..text import PromptTextBranch  # noqa: F401  (registers the text parts)
from ..utils import (
    exclude_frozen_from_checkpoint,
    freeze_foundation,
    log_parameter_summary,
)

__all__ = ['VideoTextRecognizer']


@MODELS.register_module()
class VideoTextRecognizer(Recognizer3D):
    """mmaction2's ``Recognizer3D`` with the frozen-foundation contract.

    With a CLIP / ViCLIP backbone (video embedding: CLIP's frame mean of
    ``ln_post(cls) @ proj``, ViCLIP's CLS) and a ``TextSimilarityHead``,
    this is a zero-shot recognizer: no trained checkpoint, the foundation
    weights come from the encoders' ``init_cfg`` when the model is built.
    The trainable / frozen parameter summary is logged at build time.

    Args:
        *args: ``Recognizer3D`` arguments (``backbone``, ``cls_head``,
            ``data_preprocessor``, ...).
        freeze (bool): Freeze the whole model except ``trainable``
            (:func:`~mmvssm.models.utils.freeze_foundation`). Defaults to
            True.
        trainable (str | Iterable[str]): Parameters / modules left
            trainable when frozen, e.g. ``('backbone.proj',)``. Defaults to
            ``()``.
        save_frozen (bool): Write frozen parameters into checkpoints. With
            False they are left out (the runner's checkpoints hold only the
            trainable ones; the frozen ones are reloaded from the foundation
            files when the model is built, so ``--resume`` and
            ``tools/test.py`` still restore the full model). Defaults to
            True.
        **kwargs: More ``Recognizer3D`` arguments.
    """

    def __init__(
        self,
        *args,
        freeze: bool = True,
        trainable: Union[str, Iterable[str]] = (),
        save_frozen: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if freeze:
            freeze_foundation(self, trainable)
        if not save_frozen:
            exclude_frozen_from_checkpoint(self)
        log_parameter_summary(self)
