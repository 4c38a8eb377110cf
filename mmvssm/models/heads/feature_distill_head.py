# Copyright (c) mmvssm contributors. All rights reserved.
"""Student-side projection for feature self-distillation."""

from typing import Dict, Optional

from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_init
from torch import Tensor, nn

from mmvssm.registry import MODELS

__all__ = ['FeatureDistillHead']


@MODELS.register_module()
class FeatureDistillHead(BaseModule):
    """RMSNorm + Linear mapping student tokens into the teacher's space.

    VideoMamba's ``distill_head``: applied to every final token of the
    student, its output is compared with the teacher's final tokens by
    ``loss_distill``.

    Args:
        in_channels (int): Student width.
        out_channels (int): Teacher width.
        loss_distill (dict, optional): Loss config. Defaults to
            ``dict(type='CosineDistillLoss')``.
        norm_eps (float): RMSNorm epsilon. Defaults to 1e-5.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        loss_distill: Optional[dict] = None,
        norm_eps: float = 1e-5,
        init_cfg: Optional[dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.norm = nn.RMSNorm(in_channels, eps=norm_eps)
        self.proj = nn.Linear(in_channels, out_channels)
        self.loss_distill = MODELS.build(
            loss_distill or dict(type='CosineDistillLoss')
        )

    def init_weights(self) -> None:
        """Trunc-normal(.02) projection with zero bias, as the original."""
        super().init_weights()
        if self.init_cfg is None:
            trunc_normal_init(self.proj, std=0.02, bias=0)

    def forward(self, tokens: Tensor) -> Tensor:
        """Project ``(N, L, C_student)`` to ``(N, L, C_teacher)``."""
        return self.proj(self.norm(tokens))

    def loss(
        self, tokens: Tensor, teacher_tokens: Tensor
    ) -> Dict[str, Tensor]:
        """Distillation loss of student tokens against the teacher's.

        Args:
            tokens (Tensor): Student tokens ``(N, L, C_student)``.
            teacher_tokens (Tensor): Teacher tokens ``(N, L, C_teacher)``.

        Returns:
            dict[str, Tensor]: ``{'loss_distill': ...}``.
        """
        return dict(
            loss_distill=self.loss_distill(self(tokens), teacher_tokens)
        )
