# Copyright (c) mmvssm contributors. All rights reserved.
"""Classify video embeddings by their similarity to class text embeddings."""

from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmaction.models.heads import BaseHead

from mmvssm.registry import MODELS

__all__ = ['TextSimilarityHead']


@MODELS.register_module()
class TextSimilarityHead(BaseHead):
    """Logits ``s * cos(video, text_k)`` against a text branch's classes.

    The number of classes is the text branch's. The video embedding comes
    from the backbone: ``(N, D)``, or ``(N, T, D)`` per-frame embeddings
    that are averaged over ``T`` first. mmaction2's ``BaseHead`` does the
    rest (cross-entropy, multi-view averaging with ``average_clips``,
    ``pred_score`` / ``pred_label`` of the data samples).

    Args:
        text_branch (dict): Config of e.g. ``PromptTextBranch``.
        in_channels (int, optional): The video embedding width, checked
            against the text embedding width. Defaults to None (unchecked).
        logit_scale (float, optional): The scale ``s``. Defaults to None:
            the scale stored in the text encoder's checkpoint
            (``exp(logit_scale)`` for CLIP, ``1 / temp`` for ViCLIP), or
            100 without one.
        average_clips (str): ``'prob'`` (softmax, then mean over views) or
            ``'score'``. Defaults to ``'prob'``.
        topk (tuple[int]): Top-k accuracies of the loss. Defaults to
            ``(1, 5)`` (cut to the number of classes).
        **kwargs: Other ``BaseHead`` arguments (``loss_cls``,
            ``label_smooth_eps``, ``init_cfg``).
    """

    def __init__(
        self,
        text_branch: Dict,
        in_channels: Optional[int] = None,
        logit_scale: Optional[float] = None,
        average_clips: str = 'prob',
        topk: Union[int, Tuple[int, ...]] = (1, 5),
        **kwargs,
    ):
        text_branch = MODELS.build(text_branch)
        num_classes = text_branch.num_classes
        if isinstance(topk, int):
            topk = (topk,)
        topk = tuple(k for k in topk if k <= num_classes) or (1,)
        super().__init__(
            num_classes,
            in_channels or -1,
            average_clips=average_clips,
            topk=topk,
            **kwargs,
        )
        self.text_branch = text_branch
        if logit_scale is None:
            encoder = getattr(text_branch, 'text_encoder', None)
            logit_scale = getattr(encoder, 'logit_scale', None) or 100.0
        self.register_buffer(
            'logit_scale',
            torch.tensor(float(logit_scale)),
            persistent=False,
        )

    def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        """Logits ``(N, num_classes)`` of video embeddings ``x``."""
        if x.dim() == 3:
            x = x.mean(dim=1)
        text = self.text_branch()
        if self.in_channels > 0 and x.shape[-1] != self.in_channels:
            raise ValueError(
                f'video embedding width {x.shape[-1]} != in_channels '
                f'{self.in_channels}'
            )
        if x.shape[-1] != text.shape[-1]:
            raise ValueError(
                f'video embeddings ({x.shape[-1]}) and text embeddings '
                f'({text.shape[-1]}) have different widths'
            )
        video = F.normalize(x.float(), dim=-1)
        return self.logit_scale * video @ text.t()
