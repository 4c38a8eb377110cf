# Copyright (c) mmvssm contributors. All rights reserved.
"""MSTA's text side: the adapted text encoder and its text branch.

:class:`MSTACLIPTextTransformer` is CLIP's / ViCLIP's text encoder whose
blocks get MSTA's text adapters once an adapter set is attached.
:class:`MSTATextBranch` embeds the class template (trainable branch: the
encoder with its adapters, recomputed at every training step) and the
class descriptions through the frozen branch: the same encoder with the
adapters switched off (its weights are the frozen foundation's), embedded
once, cached in non-persistent buffers (never in a checkpoint, recomputed
after weights load).
"""

from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F

from mmvssm.registry import MODELS

from ..layers.msta_adapter import MSTAEncoderMixin
from .clip_text import CLIPTextTransformer
from .text_branch import PromptTextBranch, load_class_names

__all__ = ['MSTACLIPTextTransformer', 'MSTATextBranch']


@MODELS.register_module()
class MSTACLIPTextTransformer(MSTAEncoderMixin, CLIPTextTransformer):
    """CLIP's text encoder with MSTA text adapters (when attached).

    Arguments as :class:`~mmvssm.models.text.CLIPTextTransformer`.
    """

    modality = 'text'

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Embed ``(N, L)`` token ids through the adapted blocks."""
        x = self.embed_tokens(tokens)
        mask = self.causal_mask(tokens.shape[1])
        x = self.run_adapted_blocks(x, block_kwargs=dict(attn_mask=mask))
        return self.project(x, tokens)


@MODELS.register_module()
class MSTATextBranch(PromptTextBranch):
    """Class-template embeddings (trainable) + description embeddings.

    Args:
        text_encoder (dict): An ``MSTACLIPTextTransformer`` config.
        class_names (str | Sequence[str]): Training classes (see
            :func:`~mmvssm.models.text.load_class_names`).
        templates (str | Sequence[str]): Defaults to ``'video'``
            (``"a video of a {}."``, MSTA's single template).
        spatial_descriptions (str, optional): Spatial description file of
            ``class_names`` (or a shipped name). Defaults to None.
        temporal_descriptions (str, optional): Temporal description file.
            Defaults to None.
        num_descriptions (int, optional): ``N`` sentences per class, checked
            against both files. Defaults to None (any, equal per class).
        novel_class_names (str | Sequence[str], optional): Classes added
            after ``class_names`` when not training (base-to-novel: scores
            over base + novel, each video judged within its own split).
            Defaults to None.
        normalize_descriptions (bool): L2-normalise each description
            embedding before the class mean (the paper is silent). Defaults
            to True.
        **kwargs: ``PromptTextBranch`` arguments (``readable_names``,
            ``tokenizer``, ``init_cfg``).
    """

    def __init__(
        self,
        text_encoder: Dict,
        class_names: Union[str, Sequence[str]],
        templates: Union[str, Sequence[str]] = 'video',
        spatial_descriptions: Optional[str] = None,
        temporal_descriptions: Optional[str] = None,
        num_descriptions: Optional[int] = None,
        novel_class_names: Optional[Union[str, Sequence[str]]] = None,
        normalize_descriptions: bool = True,
        **kwargs,
    ):
        super().__init__(text_encoder, class_names, templates, **kwargs)
        from mmvssm.datasets.description_files import load_descriptions

        self.base_class_names = list(self.class_names)
        self.novel_class_names = (
            load_class_names(novel_class_names) if novel_class_names else []
        )
        self.descriptions = {}
        for kind, path in (
            ('spatial', spatial_descriptions),
            ('temporal', temporal_descriptions),
        ):
            if path is not None:
                self.descriptions[kind] = load_descriptions(
                    path, len(self.base_class_names), num_descriptions
                )
        self.normalize_descriptions = normalize_descriptions
        self.register_buffer('spatial_embeddings', None, persistent=False)
        self.register_buffer('temporal_embeddings', None, persistent=False)
        #: The template embeddings of the last training step (for L_CC).
        self.last_embeddings: Optional[torch.Tensor] = None
        #: Set by ``MSTARecognizer.train``: the frozen-foundation contract
        #: keeps this (parameter-free but for the frozen encoder) branch in
        #: eval mode while its adapters train.
        self.adapters_training = False
        self.register_load_state_dict_post_hook(
            lambda module, keys: module.clear_description_cache()
        )

    @property
    def num_base_classes(self) -> int:
        """Classes of ``class_names`` (the first columns at test time)."""
        return len(self.base_class_names)

    def _adapters_train(self) -> bool:
        adapters = getattr(self.text_encoder, 'msta_adapters', None)
        params = list(self.text_encoder.parameters())
        if adapters is not None:
            params += list(adapters.parameters())
        return any(p.requires_grad for p in params)

    @property
    def training_now(self) -> bool:
        """Whether the template branch trains (own or adapters' mode)."""
        return self.training or self.adapters_training

    def clear_description_cache(self) -> None:
        """Forget the description embeddings (after weights loaded)."""
        self.spatial_embeddings = self.temporal_embeddings = None

    def embed_sentences(self, sentences: List[List[str]]) -> torch.Tensor:
        """Frozen-branch class means of per-class sentences: ``(C, D)``."""
        flat = [s for per_class in sentences for s in per_class]
        device = next(self.text_encoder.parameters()).device
        tokens = self.tokenizer(flat).to(device)
        with torch.no_grad(), self.text_encoder.adapters_disabled():
            emb = self.text_encoder(tokens).float()
        if self.normalize_descriptions:
            emb = F.normalize(emb, dim=-1)
        emb = emb.reshape(len(sentences), -1, emb.shape[-1]).mean(dim=1)
        return F.normalize(emb, dim=-1)

    def description_embeddings(self):
        """``(spatial, temporal)`` frozen description means, cached.

        Returns:
            tuple[torch.Tensor | None, torch.Tensor | None]: ``(C, D)``
            each, L2-normalised; None for a kind without a file.
        """
        for kind in ('spatial', 'temporal'):
            name = f'{kind}_embeddings'
            if kind in self.descriptions and getattr(self, name) is None:
                setattr(
                    self, name, self.embed_sentences(self.descriptions[kind])
                )
        return self.spatial_embeddings, self.temporal_embeddings

    def compute_embeddings(self) -> torch.Tensor:
        """Template embeddings of the current class set (see forward)."""
        if self.training_now or not self.novel_class_names:
            return super().compute_embeddings()
        names = self.class_names
        try:
            self.class_names = self.base_class_names + self.novel_class_names
            return super().compute_embeddings()
        finally:
            self.class_names = names

    def forward(self) -> torch.Tensor:
        """Class embeddings: trained ones at every training step, else cached.

        Returns:
            torch.Tensor: ``(C, D)`` L2-normalised; when not training and
            ``novel_class_names`` are given, base then novel classes.
        """
        if (
            self.training_now
            and torch.is_grad_enabled()
            and self._adapters_train()
        ):
            self.last_embeddings = self.compute_embeddings()
            return self.last_embeddings
        if self.cached_embeddings is None:
            with torch.no_grad():
                self.cached_embeddings = self.compute_embeddings()
        return self.cached_embeddings
