# Copyright (c) mmvssm contributors. All rights reserved.
"""CLIP's text transformer (OpenAI CLIP width 512 / 768; ViCLIP's).

Layers and names are OpenAI's (``token_embedding``, ``positional_embedding``,
``transformer.resblocks.*``, ``ln_final``, ``text_projection``) on
open_clip's modules, so the text tower of OpenAI's ``ViT-B-16.pt``, of an
OpenAI / open_clip state dict or ViCLIP's ``text_encoder.*`` loads without
conversion. The output is the ``ln_final`` feature of the end-of-text
token (the row's largest id) times ``text_projection``.
"""

from typing import Dict, Optional, Sequence, Union

import torch
from torch import nn

from mmvssm.registry import MODELS

from ..layers.clip_layers import (
    LayerNorm,
    build_clip_transformer,
    clip_arch_zoo,
)
from ..utils.foundation_weights import (
    FoundationModule,
    FoundationWeightsError,
    logit_scale_from_state_dict,
    select_prefixed,
)

__all__ = ['CLIPTextTransformer']

_TEXT_KEYS = (
    'token_embedding.',
    'positional_embedding',
    'transformer.',
    'ln_final.',
    'text_projection',
)


@MODELS.register_module()
class CLIPTextTransformer(FoundationModule):
    """CLIP's causal text encoder.

    Args:
        arch (str | dict): ``'b32'`` / ``'b16'`` (width 512, 8 heads, 12
            blocks, embed 512), ``'l14'`` (width 768, 12 heads, 12 blocks,
            embed 768) or a dict with ``width``, ``depth``, ``num_heads``,
            ``embed_dims``. Defaults to ``'b16'``.
        context_length (int): Token positions: 77 (OpenAI), 32 (ViCLIP).
            A longer positional embedding in the weights is cut to it.
            Defaults to 77.
        vocab_size (int): Defaults to 49408 (CLIP's BPE).
        quick_gelu (bool): OpenAI's activation. Defaults to True.
        frozen (bool): Freeze the encoder. Defaults to False.
        init_cfg (dict, optional): ``dict(type='Pretrained', checkpoint=...)``
            loads the weights when the model is built. Defaults to None.
    """

    arch_keys = ('width', 'depth', 'num_heads', 'embed_dims')
    # The text towers of OpenAI's releases: (width, depth, num_heads).
    arch_zoo = clip_arch_zoo(
        {'b32': (512, 12, 8), 'b16': (512, 12, 8), 'l14': (768, 12, 12)},
        arch_keys[:3],
    )

    def __init__(
        self,
        arch: Union[str, Dict] = 'b16',
        context_length: int = 77,
        vocab_size: int = 49408,
        quick_gelu: bool = True,
        frozen: bool = False,
        init_cfg: Optional[Dict] = None,
    ):
        super().__init__(init_cfg=init_cfg)
        arch = self.resolve_arch(arch)
        self.weights_file = arch.get('weights', '')
        self.arch = arch
        self.width = arch['width']
        self.embed_dims = arch['embed_dims']
        self.context_length = context_length
        self.vocab_size = vocab_size
        self.description = (
            f'CLIP text encoder (width {self.width}, context {context_length})'
        )

        self.token_embedding = nn.Embedding(vocab_size, self.width)
        self.positional_embedding = nn.Parameter(
            torch.empty(context_length, self.width)
        )
        self.transformer = build_clip_transformer(
            self.width, arch['depth'], arch['num_heads'], quick_gelu
        )
        self.ln_final = LayerNorm(self.width)
        self.text_projection = nn.Parameter(
            torch.empty(self.width, self.embed_dims)
        )
        causal = torch.full((context_length, context_length), float('-inf'))
        self.register_buffer('attn_mask', causal.triu_(1), persistent=False)
        # The checkpoint's contrastive scale (exp(logit_scale) or 1/temp),
        # set when weights load; a text-similarity head reads it.
        self.logit_scale: Optional[float] = None
        self._random_init()
        self.finish_build(frozen)

    def _random_init(self) -> None:
        # OpenAI's initialisation (used when no weights are given).
        width, depth = self.width, len(self.blocks)
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        proj_std = width**-0.5 * (2 * depth) ** -0.5
        for block in self.blocks:
            nn.init.normal_(block.attn.in_proj_weight, std=width**-0.5)
            nn.init.normal_(block.attn.out_proj.weight, std=proj_std)
            nn.init.normal_(block.mlp.c_fc.weight, std=(2 * width) ** -0.5)
            nn.init.normal_(block.mlp.c_proj.weight, std=proj_std)
        nn.init.normal_(self.text_projection, std=width**-0.5)

    def embed_tokens(self, tokens: torch.Tensor) -> torch.Tensor:
        """Token + positional embedding: ``(N, L)`` ids to ``(N, L, C)``."""
        length = tokens.shape[1]
        if length > self.context_length:
            raise ValueError(
                f'{length} tokens per text exceed the context length '
                f'{self.context_length}; tokenize with CLIPTokenizer('
                f'context_length={self.context_length})'
            )
        x = self.token_embedding(tokens)
        return x + self.positional_embedding[:length].to(x.dtype)

    def causal_mask(self, length: int) -> torch.Tensor:
        """The additive ``(length, length)`` causal attention mask."""
        return self.attn_mask[:length, :length]

    def project(self, x: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """``ln_final`` at the end-of-text token, times ``text_projection``.

        Args:
            x (torch.Tensor): ``(N, L, C)`` final tokens.
            tokens (torch.Tensor): ``(N, L)`` ids (EOT has the largest id).

        Returns:
            torch.Tensor: ``(N, embed_dims)``.
        """
        x = self.ln_final(x)
        eot = x[torch.arange(x.shape[0], device=x.device), tokens.argmax(-1)]
        return eot @ self.text_projection

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Embed ``(N, L)`` token ids (``L <= context_length``): ``(N, D)``."""
        x = self.embed_tokens(tokens)
        mask = self.causal_mask(tokens.shape[1])
        for block in self.blocks:
            x = block(x, attn_mask=mask)
        return self.project(x, tokens)

    def extract_weights(self, state_dict: Dict, source: str) -> Dict:
        """This encoder's weights out of a released state dict.

        Accepts OpenAI / open_clip CLIP state dicts (text tower at the top
        level), ViCLIP's ``text_encoder.*``, open_clip's ``text.*`` and
        text-only dicts.

        Args:
            state_dict (dict): The file's tensors.
            source (str): The file, for messages.

        Returns:
            dict: Keys of this module.
        """
        own = select_prefixed(state_dict, ('text_encoder.', 'text.'))
        if own is None:
            own = {
                k: v for k, v in state_dict.items() if k.startswith(_TEXT_KEYS)
            }
        own = {k: v for k, v in own.items() if not k.endswith('attn_mask')}
        if 'token_embedding.weight' not in own or 'ln_final.weight' not in own:
            raise FoundationWeightsError(
                f'{source} holds no CLIP text encoder (no token_embedding / '
                f'ln_final); expected {self.description} weights'
            )
        width = own['ln_final.weight'].shape[0]
        depth = self.num_blocks_in(own)
        embed = own['text_projection'].shape[-1]
        if (width, depth, embed) != (
            self.width,
            len(self.blocks),
            self.embed_dims,
        ):
            raise FoundationWeightsError(
                f'{source} holds a text encoder of width {width}, {depth} '
                f'blocks, embed {embed}, but the model is {self.description} '
                f'with {len(self.blocks)} blocks, embed {self.embed_dims}: '
                f'use the matching weights or change arch'
            )
        pos = own.get('positional_embedding')
        if pos is not None and pos.shape[0] > self.context_length:
            own['positional_embedding'] = pos[: self.context_length]
        return own

    def load_foundation_weights(self, state_dict: Dict, source: str) -> None:
        """Load the text tower of a released state dict; keep its scale.

        Args:
            state_dict (dict): The whole file's state dict.
            source (str): The file, for messages.
        """
        super().load_foundation_weights(state_dict, source)
        self.logit_scale = logit_scale_from_state_dict(state_dict)

    def encode_texts(
        self, texts: Sequence[str], tokenizer=None
    ) -> torch.Tensor:
        """Tokenize and embed texts (not normalised).

        Args:
            texts (Sequence[str]): The texts.
            tokenizer (CLIPTokenizer, optional): Defaults to one with this
                encoder's context length.

        Returns:
            torch.Tensor: ``(N, embed_dims)``.
        """
        if tokenizer is None:
            from .tokenizer import CLIPTokenizer

            tokenizer = CLIPTokenizer(self.context_length)
        tokens = tokenizer(texts).to(self.positional_embedding.device)
        return self(tokens)
