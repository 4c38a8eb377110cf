# Copyright (c) mmvssm contributors. All rights reserved.
"""Recognizer3D with a frozen teacher: VideoMamba's self-distillation."""

import logging
from typing import Dict

import torch
from mmaction.models.recognizers import Recognizer3D
from mmaction.utils import ConfigType, SampleList
from mmengine.logging import print_log
from torch import Tensor, nn

from mmvssm.registry import MODELS

__all__ = ['DistillRecognizer3D']


@MODELS.register_module()
class DistillRecognizer3D(Recognizer3D):
    """A student recognizer aligned with a frozen teacher's final tokens.

    Training loss = the classification loss of ``cls_head`` + the
    ``distill_head`` loss between the projected student tokens and the
    teacher's tokens (VideoMamba: ``2 - 2 cos`` over all tokens, a
    VideoMamba-S teacher guiding a VideoMamba-M student). Inference uses the
    student alone, exactly as :class:`Recognizer3D`.

    Both backbones must provide ``forward_features(x) -> (N, L, C)`` (final
    normalized tokens) and the student ``select_output(tokens, shape)``
    (its ``out_type`` pooling), as :class:`~mmvssm.models.VideoMamba` does;
    student and teacher must tokenize alike (same L).

    Args:
        backbone (dict): Student backbone.
        cls_head (dict): Classification head on the student's features.
        teacher (dict): Teacher backbone, frozen and always in eval mode;
            load its weights with its ``init_cfg`` (``Pretrained``).
        distill_head (dict): Head projecting student tokens to the teacher
            width and computing ``loss_distill``, e.g.
            ``dict(type='FeatureDistillHead', in_channels=576,
            out_channels=384)``.
        **kwargs: ``train_cfg``, ``test_cfg``, ``data_preprocessor``,
            ``init_cfg`` of :class:`Recognizer3D` (no ``neck``).
    """

    def __init__(
        self,
        backbone: ConfigType,
        cls_head: ConfigType,
        teacher: ConfigType,
        distill_head: ConfigType,
        **kwargs,
    ) -> None:
        if kwargs.get('neck') is not None:
            raise ValueError(
                'DistillRecognizer3D aligns backbone tokens and takes no '
                'neck; remove model.neck from the config'
            )
        super().__init__(backbone=backbone, cls_head=cls_head, **kwargs)
        self.teacher = MODELS.build(teacher)
        self.teacher.requires_grad_(False)
        self.teacher.eval()
        self.distill_head = MODELS.build(distill_head)
        for name, part in (
            ('backbone', self.backbone),
            ('teacher', self.teacher),
        ):
            if not hasattr(part, 'forward_features'):
                raise TypeError(
                    f'DistillRecognizer3D {name} {type(part).__name__} has no '
                    'forward_features(x) returning (N, L, C) tokens; use a '
                    'VideoMamba (or a backbone with that method)'
                )
        if not hasattr(self.backbone, 'select_output'):
            raise TypeError(
                f'DistillRecognizer3D backbone {type(self.backbone).__name__} '
                'has no select_output(tokens, input_shape); use a VideoMamba'
            )

    def init_weights(self) -> None:
        """Initialize; warn when the teacher gets no pretrained weights."""
        cfg = getattr(self.teacher, 'init_cfg', None)
        cfgs = cfg if isinstance(cfg, list) else [cfg]
        if not any(c and c.get('type') == 'Pretrained' for c in cfgs):
            print_log(
                'DistillRecognizer3D: the teacher has no Pretrained init_cfg, '
                'so the student is distilled from a random network; set '
                "teacher.init_cfg=dict(type='Pretrained', checkpoint=...)",
                logger='current',
                level=logging.WARNING,
            )
        super().init_weights()

    def train(self, mode: bool = True) -> nn.Module:
        """Set train/eval mode; the teacher always stays in eval mode."""
        super().train(mode)
        self.teacher.eval()
        return self

    def loss(
        self, inputs: Tensor, data_samples: SampleList, **kwargs
    ) -> Dict[str, Tensor]:
        """Classification loss plus feature distillation.

        Args:
            inputs (Tensor): ``(N, V, C, T, H, W)`` clips.
            data_samples (list[ActionDataSample]): Labels.

        Returns:
            dict[str, Tensor]: ``loss_cls`` (and accuracies) and
            ``loss_distill``.
        """
        inputs = inputs.view((-1,) + inputs.shape[2:])
        tokens = self.backbone.forward_features(inputs)
        feats = self.backbone.select_output(tokens, inputs.shape)
        losses = self.cls_head.loss(feats, data_samples)
        with torch.no_grad():
            teacher_tokens = self.teacher.forward_features(inputs)
        if teacher_tokens.shape[:2] != tokens.shape[:2]:
            raise ValueError(
                'DistillRecognizer3D: teacher tokens '
                f'{tuple(teacher_tokens.shape)} do not line up with student '
                f'tokens {tuple(tokens.shape)}; '
                'give both the same patch_size and tubelet_size'
            )
        losses.update(self.distill_head.loss(tokens, teacher_tokens))
        return losses
