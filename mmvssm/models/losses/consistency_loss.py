# Copyright (c) mmvssm contributors. All rights reserved.
"""MSTA's description-guided consistency loss."""

from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn

from mmvssm.registry import MODELS

__all__ = ['DescriptionConsistencyLoss', 'description_consistency_loss']


def description_consistency_loss(
    class_embeddings: torch.Tensor,
    spatial: Optional[torch.Tensor],
    temporal: Optional[torch.Tensor],
) -> torch.Tensor:
    """``L_CC = mean_c [2 - cos(w_c, D_s^c) - cos(w_c, D_t^c)]``.

    Args:
        class_embeddings (torch.Tensor): ``(C, D)`` template embeddings
            ``w_c`` of the trainable branch.
        spatial (torch.Tensor, optional): ``(C, D)`` frozen-branch mean
            spatial description embeddings; None drops its term (and its 1).
        temporal (torch.Tensor, optional): The same for temporal ones.

    Returns:
        torch.Tensor: The scalar loss, averaged over all classes (the paper
        does not say whether over all or the batch's classes).
    """
    loss = class_embeddings.new_zeros(class_embeddings.shape[0])
    for target in (spatial, temporal):
        if target is not None:
            if target.shape != class_embeddings.shape:
                raise ValueError(
                    f'description embeddings {tuple(target.shape)} do not '
                    f'match the class embeddings '
                    f'{tuple(class_embeddings.shape)}'
                )
            cos = F.cosine_similarity(
                class_embeddings.float(), target.float().detach(), dim=-1
            )
            loss = loss + 1.0 - cos
    return loss.mean()


@MODELS.register_module()
class DescriptionConsistencyLoss(nn.Module):
    """``loss_weight * L_CC`` (:func:`description_consistency_loss`).

    Args:
        loss_weight (float): ``alpha``. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0):
        super().__init__()
        self.loss_weight = float(loss_weight)

    def forward(self, class_embeddings, spatial, temporal) -> torch.Tensor:
        """See :func:`description_consistency_loss`."""
        return self.loss_weight * description_consistency_loss(
            class_embeddings, spatial, temporal
        )
