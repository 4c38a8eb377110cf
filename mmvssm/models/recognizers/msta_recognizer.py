# Copyright (c) mmvssm contributors. All rights reserved.
"""MSTA: a frozen video-language model with multimodal adapters + L_CC."""

from typing import Dict, Iterable, Optional, Union

import torch
from mmaction.models.recognizers import Recognizer3D

from mmvssm.registry import MODELS

from ..utils import (
    exclude_frozen_from_checkpoint,
    freeze_foundation,
    log_parameter_summary,
)

__all__ = ['MSTARecognizer']


@MODELS.register_module()
class MSTARecognizer(Recognizer3D):
    """Video-text recognizer that trains MSTA adapters with CE + alpha L_CC.

    The recognizer owns the :class:`~mmvssm.models.layers.MSTAAdapterSet`
    (``self.adapter``) and attaches it to the adapted vision encoder (the
    backbone) and the adapted text encoder of the head's
    :class:`~mmvssm.models.text.MSTATextBranch`; both use the same shared
    r x r projections. Everything else is frozen (kept in eval mode).

    Training loss: the head's cross-entropy over ``s * cos(video, w_c)``
    plus ``loss_consistency`` (``alpha * L_CC``) between the trainable
    template embeddings ``w_c`` of this step and the cached frozen-branch
    description embeddings. Prediction: cosine logits with the cached
    template embeddings; when the text branch has novel classes
    (base-to-novel), the scores of each video are restricted to its own
    split's classes (labels below ``num_base_classes`` are base videos, as
    the protocol's two lists say) before the views are averaged.

    Args:
        *args: ``Recognizer3D`` arguments (``backbone``, ``cls_head``,
            ``data_preprocessor``).
        adapter (dict): ``MSTAAdapterSet`` config. Defaults to
            ``dict(type='MSTAAdapterSet')`` (ViCLIP-B/16, blocks 8-12, r 128).
        loss_consistency (dict, optional): Defaults to
            ``dict(type='DescriptionConsistencyLoss', loss_weight=1.0)``;
            None (or a text branch without description files) trains CE only.
        trainable (str | Iterable[str]): Trainable parameters. Defaults to
            ``('adapter',)``.
        save_frozen (bool): Write frozen weights into checkpoints (see
            :class:`~mmvssm.models.recognizers.VideoTextRecognizer`).
            Defaults to False.
        **kwargs: More ``Recognizer3D`` arguments.
    """

    def __init__(
        self,
        *args,
        adapter: Optional[Dict] = None,
        loss_consistency: Optional[Dict] = None,
        trainable: Union[str, Iterable[str]] = ('adapter',),
        save_frozen: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.adapter = MODELS.build(adapter or dict(type='MSTAAdapterSet'))
        text_encoder = self.text_branch.text_encoder
        for encoder in (self.backbone, text_encoder):
            if not hasattr(encoder, 'attach_adapters'):
                raise TypeError(
                    f'{type(encoder).__name__} takes no MSTA adapters; use '
                    f'MSTAViCLIPVisionTransformer / MSTACLIPVisionTransformer '
                    f'and MSTACLIPTextTransformer'
                )
            encoder.attach_adapters(self.adapter)
        if loss_consistency is None:
            loss_consistency = dict(
                type='DescriptionConsistencyLoss', loss_weight=1.0
            )
        self.loss_consistency = (
            MODELS.build(loss_consistency) if loss_consistency else None
        )
        freeze_foundation(self, trainable)
        if not save_frozen:
            exclude_frozen_from_checkpoint(self)
        log_parameter_summary(self)

    def train(self, mode: bool = True):
        """Set the mode; the text branch learns its adapters' mode."""
        super().train(mode)
        self.text_branch.adapters_training = mode
        return self

    @property
    def text_branch(self):
        """The head's text branch."""
        return self.cls_head.text_branch

    def loss(self, inputs: torch.Tensor, data_samples, **kwargs) -> Dict:
        """CE (head) + ``alpha * L_CC``.

        Returns:
            dict: ``loss_cls`` (and top-k), ``loss_cc`` with descriptions.
        """
        losses = super().loss(inputs, data_samples, **kwargs)
        branch = self.text_branch
        if self.loss_consistency is not None and branch.descriptions:
            spatial, temporal = branch.description_embeddings()
            class_emb = branch.last_embeddings
            if class_emb is None:
                class_emb = branch()
            losses['loss_cc'] = self.loss_consistency(
                class_emb, spatial, temporal
            )
        return losses

    def predict(self, inputs: torch.Tensor, data_samples, **kwargs):
        """Predict; base-to-novel scores restricted to the video's split."""
        feats, predict_kwargs = self.extract_feat(inputs, test_mode=True)
        head = self.cls_head
        scores = head(feats, **predict_kwargs)
        num_base = self.text_branch.num_base_classes
        if scores.shape[1] > num_base and data_samples:
            views = scores.shape[0] // len(data_samples)
            labels = torch.stack(
                [ds.gt_label.reshape(-1)[0] for ds in data_samples]
            ).to(scores.device)
            novel = (labels >= num_base).repeat_interleave(views)
            columns = torch.arange(scores.shape[1], device=scores.device)
            keep = (columns[None] >= num_base) == novel[:, None]
            scores = scores.masked_fill(~keep, float('-inf'))
        return head.predict_by_feat(scores, data_samples)
