# Copyright (c) mmvssm contributors. All rights reserved.
"""An mmpretrain ``VisionTransformer`` as a frozen IFM (e.g. DINOv2, EVA).

:class:`MMPretrainViTFoundation` builds mmpretrain's ``VisionTransformer``
(any ``arch``: ``'base'``, ``'dinov2-s'``, ``'eva-g'``, a custom dict, with
or without layer scale) and exposes the pieces that an adapter such as
:class:`~mmvssm.models.backbones.MoMa` uses instead of its ``forward``:

* :meth:`~MMPretrainViTFoundation.embed_frames`: patch embedding, CLS token,
  positional embedding (resized on the fly to the frames' grid with
  mmpretrain's ``resize_pos_embed``) and ``pre_norm``;
* ``blocks``: the ViT's ``TransformerEncoderLayer`` s (pre-norm:
  ``x + attn(ln1(x))`` with the layer scale ``gamma1`` inside ``attn``,
  then ``ffn(ln2(x), identity=x)`` which adds the residual itself), run
  through :meth:`~MMPretrainViTFoundation.attention_norm`,
  :meth:`~MMPretrainViTFoundation.attention` (any token subset, with a key
  padding mask) and :meth:`~MMPretrainViTFoundation.mlp_step`;
* ``ln_post``: the ViT's final norm (``ln1``; identity without
  ``final_norm``) and ``proj = None``: the ViT has no embedding projection.

With ``init_cfg=dict(type='Pretrained', checkpoint=PATH)`` the weights load
when the model is built (an mmpretrain classifier checkpoint, ``backbone.*``,
or a bare backbone state dict), their positional embedding resized to
``img_size``.
"""

import copy
from typing import Dict, Optional

import torch
from mmpretrain.models.backbones.vision_transformer import (
    TransformerEncoderLayer,
    VisionTransformer,
)
from mmpretrain.models.utils import resize_pos_embed
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
from torch import nn

from mmvssm.registry import MODELS

from ..utils.foundation_weights import (
    FoundationModule,
    FoundationWeightsError,
    select_prefixed,
)

__all__ = ['MMPretrainViTFoundation']


@MODELS.register_module()
class MMPretrainViTFoundation(FoundationModule):
    """mmpretrain's ``VisionTransformer`` with the frozen-IFM interface.

    Args:
        vit (dict): Config of the ViT, built by mmpretrain's registry, e.g.
            ``dict(type='mmpretrain.VisionTransformer', arch='dinov2-s',
            img_size=224, patch_size=14, layer_scale_init_value=1e-5)``
            (``type`` may be omitted or written without the prefix). It
            needs a CLS token, square patches and blocks of the plain
            ``TransformerEncoderLayer`` shape.
        frozen (bool): Freeze the ViT (gradients off, eval mode kept).
            Defaults to False.
        init_cfg (dict, optional): ``dict(type='Pretrained',
            checkpoint=PATH)`` loads the ViT's weights when the model is
            built. Defaults to None (mmpretrain's random init).
    """

    description = 'mmpretrain VisionTransformer'
    proj = None

    def __init__(
        self,
        vit: Dict,
        frozen: bool = False,
        init_cfg: Optional[Dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        self.vit_cfg = copy.deepcopy(dict(vit))
        kwargs = copy.deepcopy(self.vit_cfg)
        vit_type = kwargs.pop('type', 'VisionTransformer')
        # Looked up in mmpretrain's registry itself: a build would switch
        # to the default scope's (mmaction2 has its own VisionTransformer).
        vit_cls = (
            MMPRETRAIN_MODELS.get(vit_type)
            if isinstance(vit_type, str)
            else vit_type
        )
        if vit_cls is None:
            raise KeyError(f'{vit_type!r} is not an mmpretrain model')
        self.vit = vit_cls(**kwargs)
        self._check_vit()
        self.width = self.embed_dims = self.vit.embed_dims
        self.patch_size = self.vit.patch_embed.projection.stride[0]
        self.grid_size = tuple(self.vit.patch_resolution)
        arch = kwargs.get('arch', 'base')
        self.description = (
            f'mmpretrain VisionTransformer ({arch})'
            if isinstance(arch, str)
            else self.description
        )
        self.finish_build(frozen)

    def _check_vit(self) -> None:
        vit = self.vit
        if not isinstance(vit, VisionTransformer):
            raise TypeError(
                f'MMPretrainViTFoundation needs an mmpretrain '
                f'VisionTransformer, got {type(vit).__name__}'
            )
        if vit.cls_token is None:
            raise ValueError(
                'MMPretrainViTFoundation needs with_cls_token=True '
                '(adapters expect the CLS token first)'
            )
        proj = vit.patch_embed.projection
        if proj.stride[0] != proj.stride[1]:
            raise ValueError(
                f'MMPretrainViTFoundation needs square patches, got stride '
                f'{tuple(proj.stride)}'
            )
        for i, layer in enumerate(vit.layers):
            if not isinstance(layer, TransformerEncoderLayer) or getattr(
                layer.attn, 'v_shortcut', False
            ):
                raise ValueError(
                    f'MMPretrainViTFoundation: block {i} is a '
                    f'{type(layer).__name__}, not a pre-norm '
                    f'TransformerEncoderLayer (ln1/attn/ln2/ffn)'
                )

    # -- pieces for adapters ----------------------------------------------

    @property
    def blocks(self) -> nn.ModuleList:
        """The ViT's ``TransformerEncoderLayer`` s."""
        return self.vit.layers

    @property
    def ln_post(self) -> nn.Module:
        """The ViT's final norm (``ln1``), identity without ``final_norm``."""
        return self.vit.ln1 if self.vit.final_norm else nn.Identity()

    def embed_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """Patches + CLS + positional embedding, then ``pre_norm``.

        Args:
            frames (torch.Tensor): ``(B, 3, H, W)`` images.

        Returns:
            torch.Tensor: ``(B, 1 + h*w, C)``, CLS first, patches
            row-major; the positional embedding is resized to ``(h, w)``.
        """
        vit = self.vit
        x, grid = vit.patch_embed(frames)
        cls = vit.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat((cls, x), dim=1)
        x = x + resize_pos_embed(
            vit.pos_embed,
            vit.patch_resolution,
            grid,
            mode=vit.interpolate_mode,
            num_extra_tokens=vit.num_extra_tokens,
        )
        return vit.pre_norm(vit.drop_after_pos(x))

    @staticmethod
    def attention_norm(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """The norm in front of a block's attention (``ln1``)."""
        return block.ln1(x)

    @staticmethod
    def attention(
        block: nn.Module,
        x: torch.Tensor,
        key_padding_mask: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """A block's attention branch on any set of (normed) tokens.

        mmpretrain's ``MultiheadAttention.forward`` with a key padding
        mask; without one the numerics are that method's.

        Args:
            block (nn.Module): A ``TransformerEncoderLayer``.
            x (torch.Tensor): ``(B, N, C)`` tokens, already through
                :meth:`attention_norm`.
            key_padding_mask (torch.Tensor, optional): ``(B, N)`` bool,
                True where a token is padding and must not be attended to.
                Defaults to None.

        Returns:
            torch.Tensor: ``(B, N, C)``: the branch after its layer scale
            (``gamma1``), before the residual.
        """
        attn = block.attn
        b, n, _ = x.shape
        qkv = attn.qkv(x).reshape(b, n, 3, attn.num_heads, attn.head_dims)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        mask = None
        if key_padding_mask is not None:
            mask = torch.zeros(
                b, 1, 1, n, dtype=q.dtype, device=q.device
            ).masked_fill(key_padding_mask[:, None, None], float('-inf'))
        out = attn.scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=mask,
            dropout_p=attn.attn_drop if attn.training else 0.0,
        )
        out = attn.proj(out.transpose(1, 2).reshape(b, n, attn.embed_dims))
        return attn.out_drop(attn.gamma1(attn.proj_drop(out)))

    @staticmethod
    def mlp_step(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """``ffn(ln2(x), identity=x)``: a block's MLP step with residual.

        Args:
            block (nn.Module): A ``TransformerEncoderLayer``.
            x (torch.Tensor): ``(..., C)`` tokens (any layout).

        Returns:
            torch.Tensor: Same shape.
        """
        return block.ffn(block.ln2(x), identity=x)

    # -- whole-model encodings --------------------------------------------

    def forward_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """All blocks on ``(B, 3, H, W)`` images: ``(B, 1 + h*w, C)``."""
        x = self.embed_frames(frames)
        for block in self.blocks:
            x = block(x)
        return x

    def encode_video(self, video: torch.Tensor) -> torch.Tensor:
        """Frame mean of ``ln_post(cls)`` of clips ``(N, 3, T, H, W)``.

        Returns:
            torch.Tensor: ``(N, C)``.
        """
        n, t = video.shape[0], video.shape[2]
        frames = video.transpose(1, 2).flatten(0, 1)
        cls = self.ln_post(self.forward_frames(frames)[:, 0])
        return cls.reshape(n, t, -1).mean(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The frozen ViT's video embedding, see :meth:`encode_video`."""
        return self.encode_video(x)

    # -- weights ----------------------------------------------------------

    def extract_weights(self, state_dict: Dict, source: str) -> Dict:
        """The ViT's weights out of an mmpretrain checkpoint.

        Accepts classifier / self-supervised checkpoints (``backbone.*``),
        this module's own (``vit.*``) and bare backbone state dicts.

        Args:
            state_dict (dict): The file's tensors.
            source (str): The file, for messages.

        Returns:
            dict: Keys of this module (``vit.*``); the positional embedding
            resized to ``img_size``.
        """
        own = select_prefixed(state_dict, ('backbone.', 'vit.'))
        if own is None:
            own = dict(state_dict)
        if (
            'pos_embed' not in own
            or 'patch_embed.projection.weight' not in own
        ):
            raise FoundationWeightsError(
                f'{source} holds no mmpretrain VisionTransformer (no '
                f'pos_embed / patch_embed.projection.weight, also not under '
                f'backbone.)'
            )
        pos = own['pos_embed']
        extra = self.vit.num_extra_tokens
        side = int(round((pos.shape[1] - extra) ** 0.5))
        if side * side == pos.shape[1] - extra and (side, side) != tuple(
            self.grid_size
        ):
            own['pos_embed'] = resize_pos_embed(
                pos,
                (side, side),
                self.grid_size,
                mode=self.vit.interpolate_mode,
                num_extra_tokens=extra,
            )
        return {f'vit.{k}': v for k, v in own.items()}
