# Copyright (c) mmvssm contributors. All rights reserved.
"""Feature-alignment loss of VideoMamba's self-distillation."""

import torch.nn.functional as F
from mmaction.models.losses import BaseWeightedLoss
from torch import Tensor

from mmvssm.registry import MODELS

__all__ = ['CosineDistillLoss']


@MODELS.register_module()
class CosineDistillLoss(BaseWeightedLoss):
    """``2 - 2 * cos(student, teacher)`` per token, averaged.

    This is the squared L2 distance between the L2-normalized feature
    vectors, the loss VideoMamba aligns its student's final feature map with
    (paper: "aligning the final feature maps through L2 loss"). The teacher
    side carries no gradient.

    Args:
        loss_weight (float): Factor on the loss. Defaults to 1.0.
    """

    def _forward(self, student: Tensor, teacher: Tensor) -> Tensor:
        """Compute the loss.

        Args:
            student (Tensor): Student features ``(..., C)``.
            teacher (Tensor): Teacher features of the same shape.

        Returns:
            Tensor: Scalar mean over all leading positions.
        """
        if student.shape != teacher.shape:
            raise ValueError(
                f'CosineDistillLoss needs equal shapes, got student '
                f'{tuple(student.shape)} and teacher {tuple(teacher.shape)}; '
                'project the student to the teacher width first'
            )
        cos = F.cosine_similarity(
            student.float(), teacher.detach().float(), dim=-1
        )
        return (2 - 2 * cos).mean()
