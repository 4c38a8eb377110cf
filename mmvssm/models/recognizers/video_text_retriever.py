# Copyright (c) mmvssm contributors. All rights reserved.
"""VideoMamba + CLIP text encoder for video-text retrieval (paper §4.8).

The video side is a VideoMamba backbone with the multimodal pooling of the
official ``video_mm`` code, ``cls+avg``: the cls token plus the mean of the
patch tokens, then a LayerNorm, then a linear projection. The text side is
the CLIP text transformer, then a linear projection. Training: the
symmetric contrastive (InfoNCE) loss with a learnable temperature, plus a
video-text matching loss: a small fusion classifier tells matched pairs
from hard negatives drawn by similarity (one per video and one per text).
The official matching head is a cross-attention text encoder; ours is an
MLP on the pair's projected features (the paper gives no detail; the
contrastive similarity alone ranks at test time here).

Predict mode stores ``video_feat`` and ``text_feat`` (L2-normalised) on
every data sample for :class:`~mmvssm.evaluation.RetrievalMetric`.
"""

import math
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor, nn

from mmvssm.registry import MODELS

__all__ = ['VideoTextRetriever']


@MODELS.register_module()
class VideoTextRetriever(BaseModel):
    """Dual-encoder video-text retrieval model.

    Args:
        backbone (dict): Video encoder config (a :class:`VideoMamba`; its
            ``out_type`` is set to ``'raw'``).
        text_encoder (dict): Text encoder config (a
            :class:`CLIPTextTransformer`).
        embed_dims (int): Joint embedding size. Defaults to 512.
        pool_type (str): ``'cls+avg'`` (the paper's), ``'cls'`` or
            ``'avg'``. Defaults to ``'cls+avg'``.
        temperature (float): Initial contrastive temperature (learned).
            Defaults to 0.07.
        matching_weight (float): Weight of the matching loss; 0 turns it
            off. Defaults to 1.0.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    POOL_TYPES = ('cls+avg', 'cls', 'avg')

    def __init__(
        self,
        backbone: Dict,
        text_encoder: Dict,
        embed_dims: int = 512,
        pool_type: str = 'cls+avg',
        temperature: float = 0.07,
        matching_weight: float = 1.0,
        data_preprocessor: Optional[Dict] = None,
        init_cfg: Optional[Union[Dict, List[Dict]]] = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        if pool_type not in self.POOL_TYPES:
            raise ValueError(
                f'VideoTextRetriever pool_type must be one of '
                f'{self.POOL_TYPES}, got {pool_type!r}'
            )
        self.pool_type = pool_type
        self.backbone = MODELS.build(dict(backbone, out_type='raw'))
        self.text_encoder = MODELS.build(text_encoder)
        video_dims = self.backbone.embed_dims
        text_dims = self.text_encoder.embed_dims
        self.vision_norm = nn.LayerNorm(video_dims)
        self.vision_proj = nn.Linear(video_dims, embed_dims)
        self.text_proj = nn.Linear(text_dims, embed_dims)
        self.logit_scale = nn.Parameter(
            torch.tensor(math.log(1.0 / temperature))
        )
        self.matching_weight = float(matching_weight)
        self.itm_head = nn.Sequential(
            nn.Linear(3 * embed_dims, embed_dims),
            nn.GELU(),
            nn.Linear(embed_dims, 2),
        )
        self._tokenizer = None

    # ---- encoders --------------------------------------------------------
    @property
    def tokenizer(self):
        """CLIP's BPE tokenizer with the text encoder's context length."""
        if self._tokenizer is None:
            from ..text.tokenizer import CLIPTokenizer

            self._tokenizer = CLIPTokenizer(self.text_encoder.context_length)
        return self._tokenizer

    def encode_video(self, inputs: Tensor) -> Tensor:
        """Projected (not normalised) video embeddings ``(N, D)``."""
        if inputs.dim() == 6:  # (N, views, C, T, H, W): average the views
            n, v = inputs.shape[:2]
            feats = self.encode_video(inputs.flatten(0, 1))
            return feats.view(n, v, -1).mean(1)
        tokens = self.backbone(inputs)
        if self.pool_type == 'cls':
            pooled = tokens[:, 0]
        elif self.pool_type == 'avg':
            pooled = tokens[:, 1:].mean(1)
        else:
            pooled = tokens[:, 0] + tokens[:, 1:].mean(1)
        return self.vision_proj(self.vision_norm(pooled))

    def encode_text(self, texts: Sequence[str]) -> Tensor:
        """Projected (not normalised) text embeddings ``(N, D)``."""
        tokens = self.tokenizer(list(texts)).to(self.logit_scale.device)
        return self.text_proj(self.text_encoder(tokens))

    @staticmethod
    def _captions(data_samples: Sequence) -> List[str]:
        texts = []
        for sample in data_samples or ():
            text = sample.metainfo.get('caption')
            if not isinstance(text, str):
                raise ValueError(
                    'VideoTextRetriever needs a caption per sample: pack '
                    "it with PackActionInputs(meta_keys=('caption', "
                    "'video_id'))"
                )
            texts.append(text)
        return texts

    # ---- losses ----------------------------------------------------------
    def loss(self, inputs: Tensor, data_samples: Sequence) -> Dict:
        """Contrastive + matching losses of a batch of pairs.

        Returns:
            dict: ``loss_vtc`` and, with ``matching_weight > 0``,
            ``loss_vtm``.
        """
        video = self.encode_video(inputs)
        text = self.encode_text(self._captions(data_samples))
        v, t = F.normalize(video, dim=-1), F.normalize(text, dim=-1)
        scale = self.logit_scale.clamp(max=math.log(100.0)).exp()
        logits = scale * v @ t.T
        # Pairs of the same video (several captions) are all positives.
        ids = torch.as_tensor(
            [
                s.metainfo.get('video_id', i)
                for i, s in enumerate(data_samples)
            ],
            device=logits.device,
        )
        positive = (ids[:, None] == ids[None, :]).float()
        targets = positive / positive.sum(1, keepdim=True)
        loss_vtc = 0.5 * (
            F.cross_entropy(logits, targets)
            + F.cross_entropy(logits.T, targets)
        )
        losses = dict(loss_vtc=loss_vtc)
        if self.matching_weight > 0 and len(ids) > 1:
            losses['loss_vtm'] = self.matching_weight * self._matching_loss(
                video, text, logits.detach(), positive.bool()
            )
        return losses

    def _matching_loss(
        self, video: Tensor, text: Tensor, logits: Tensor, positive: Tensor
    ) -> Tensor:
        """Matched pairs vs one similarity-drawn hard negative each way."""
        weights = (logits.softmax(1) + 1e-8).masked_fill(positive, 0)
        n = len(video)
        has_neg = (~positive).any(1)
        neg_text = torch.multinomial(
            torch.where(has_neg[:, None], weights, torch.ones_like(weights)), 1
        )[:, 0]
        weights_t = (logits.T.softmax(1) + 1e-8).masked_fill(positive.T, 0)
        has_neg_t = (~positive.T).any(1)
        neg_video = torch.multinomial(
            torch.where(
                has_neg_t[:, None], weights_t, torch.ones_like(weights_t)
            ),
            1,
        )[:, 0]
        pairs_v = torch.cat(
            [video, video[has_neg], video[neg_video][has_neg_t]]
        )
        pairs_t = torch.cat([text, text[neg_text][has_neg], text[has_neg_t]])
        labels = torch.cat(
            [
                torch.ones(n, dtype=torch.long),
                torch.zeros(
                    int(has_neg.sum()) + int(has_neg_t.sum()),
                    dtype=torch.long,
                ),
            ]
        ).to(video.device)
        return F.cross_entropy(self.matching_logits(pairs_v, pairs_t), labels)

    def matching_logits(self, video: Tensor, text: Tensor) -> Tensor:
        """``(N, 2)`` not-matched / matched logits of projected pairs."""
        v, t = F.normalize(video, dim=-1), F.normalize(text, dim=-1)
        return self.itm_head(torch.cat([v, t, v * t], dim=-1))

    # ---- modes -------------------------------------------------------------
    def predict(self, inputs: Tensor, data_samples: Sequence) -> Sequence:
        """Store normalised ``video_feat`` / ``text_feat`` on each sample."""
        video = F.normalize(self.encode_video(inputs), dim=-1)
        text = F.normalize(
            self.encode_text(self._captions(data_samples)), dim=-1
        )
        for sample, v, t in zip(data_samples, video, text):
            sample.set_field(v.detach(), 'video_feat')
            sample.set_field(t.detach(), 'text_feat')
        return data_samples

    def forward(
        self,
        inputs: Tensor,
        data_samples: Optional[Sequence] = None,
        mode: str = 'tensor',
    ):
        """``loss``, ``predict`` or ``tensor`` (the video embeddings)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.encode_video(inputs)
        raise RuntimeError(f'VideoTextRetriever has no {mode!r} mode')
