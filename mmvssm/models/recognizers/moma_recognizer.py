# Copyright (c) mmvssm contributors. All rights reserved.
"""MoMa's recognizer: the video-text recognizer plus CLIP distillation."""

from typing import Dict, Optional

import torch

from mmvssm.registry import MODELS

from .video_text_recognizer import VideoTextRecognizer

__all__ = ['MoMaRecognizer']


@MODELS.register_module()
class MoMaRecognizer(VideoTextRecognizer):
    """:class:`VideoTextRecognizer` with MoMa's optional distillation loss.

    The paper adds a "CLIP distillation loss" to the classification loss
    (form and weight not given). Reconstruction: a feature distance between
    MoMa's video embedding and the frozen IFM's full-frame video embedding
    (CLIP's frame mean of ``ln_post(cls) @ proj``, computed without windows
    or SSM, no gradient): ``distill_loss=dict(type='CosineDistillLoss',
    loss_weight=w)`` gives ``w * (2 - 2 cos)``. A ``'pooled'`` backbone
    output (linear head) is projected by the IFM's ``proj`` first.

    Args:
        *args: :class:`VideoTextRecognizer` arguments; the backbone must be
            :class:`~mmvssm.models.backbones.MoMa` when distilling.
        distill_loss (dict, optional): Loss config. Defaults to None (no
            distillation, the default of the MoMa configs).
        **kwargs: More :class:`VideoTextRecognizer` arguments.
    """

    def __init__(self, *args, distill_loss: Optional[Dict] = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.distill_loss = (
            MODELS.build(distill_loss) if distill_loss is not None else None
        )
        if self.distill_loss is not None and not hasattr(
            self.backbone, 'teacher_embedding'
        ):
            raise ValueError(
                f'distill_loss needs a backbone with teacher_embedding '
                f'(MoMa), got {type(self.backbone).__name__}'
            )

    def loss(self, inputs: torch.Tensor, data_samples, **kwargs) -> Dict:
        """Classification loss (+ ``loss_distill`` when configured)."""
        if self.distill_loss is None:
            return super().loss(inputs, data_samples, **kwargs)
        student, loss_kwargs = self.extract_feat(
            inputs, data_samples=data_samples
        )
        losses = self.cls_head.loss(student, data_samples, **loss_kwargs)
        clips = inputs.view((-1,) + inputs.shape[2:])
        foundation = self.backbone.foundation
        if student.shape[-1] != foundation.proj.shape[-1]:
            student = student @ foundation.proj
        teacher = self.backbone.teacher_embedding(clips)
        losses['loss_distill'] = self.distill_loss(student, teacher)
        return losses
