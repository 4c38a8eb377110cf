# Copyright (c) mmvssm contributors. All rights reserved.
"""CLIP's vision transformer (OpenAI ViT-B/32, B/16, L/14), per frame.

The layers are open_clip's (see :mod:`mmvssm.models.layers.clip_layers`)
under OpenAI's names, so ``visual.*`` of OpenAI's ``ViT-B-16.pt`` (a
TorchScript archive, read without running it) or of an OpenAI / open_clip
state dict loads without conversion. A clip ``(N, C, T, H, W)`` is encoded
frame by frame.

Adapters use the pieces instead of :meth:`CLIPVisionTransformer.forward`:
:meth:`~CLIPVisionTransformer.embed_frames` (patches + CLS + positional
embedding + ``ln_pre``), the blocks in ``transformer.resblocks`` (run
through :meth:`~CLIPVisionTransformer.attention_norm`,
:meth:`~CLIPVisionTransformer.attention` and
:meth:`~CLIPVisionTransformer.mlp_step`, see
:mod:`~mmvssm.models.layers.clip_layers`) and
:meth:`~CLIPVisionTransformer.project` (``ln_post`` of the CLS token, then
``proj``).
"""

from typing import Dict, Optional, Tuple, Union

import torch
from torch import nn

from mmvssm.registry import MODELS

from ..layers.clip_layers import (
    LayerNorm,
    build_clip_transformer,
    clip_arch_zoo,
    clip_attention,
    clip_mlp_step,
)
from ..layers.pos_embed import resize_spatial_pos_embed
from ..utils.foundation_weights import (
    FoundationModule,
    FoundationWeightsError,
    select_prefixed,
)

__all__ = ['CLIPViTBase', 'CLIPVisionTransformer']

_OUT_TYPES = ('embed', 'video', 'cls', 'tokens')


def _to_2tuple(v) -> Tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


class CLIPViTBase(FoundationModule):
    """What CLIP's and ViCLIP's vision encoders share: OpenAI's ViT layers.

    A subclass resolves its ``arch``, builds its patch convolution ``conv1``
    (2D or 3D) and calls :meth:`build_vit`, then
    :meth:`~mmvssm.models.utils.FoundationModule.finish_build`.
    """

    arch_keys = ('patch_size', 'width', 'depth', 'num_heads', 'embed_dims')

    def build_vit(
        self,
        arch: Dict,
        img_size: Union[int, Tuple[int, int]],
        conv1: nn.Module,
        quick_gelu: bool,
        **extra_params: nn.Parameter,
    ) -> None:
        """Set the arch attributes and build the layers under OpenAI's names.

        ``conv1``, ``class_embedding``, ``positional_embedding``, then
        ``extra_params`` (e.g. a temporal embedding), ``ln_pre``, the blocks
        (``transformer``), ``ln_post`` and ``proj``; embeddings and
        projection drawn with std ``width ** -0.5`` as OpenAI's.

        Args:
            arch (dict): Resolved arch settings.
            img_size (int | tuple[int, int]): Input resolution.
            conv1 (nn.Module): The patch embedding.
            quick_gelu (bool): OpenAI's activation.
            **extra_params (nn.Parameter): More parameters, registered after
                the positional embedding.
        """
        self.arch = arch
        self.patch_size = arch['patch_size']
        self.width = width = arch['width']
        self.embed_dims = arch['embed_dims']
        self.img_size = _to_2tuple(img_size)
        self.grid_size = tuple(s // self.patch_size for s in self.img_size)
        self.weights_file = arch.get('weights', '')
        scale = width**-0.5
        self.conv1 = conv1
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(
            scale
            * torch.randn(self.grid_size[0] * self.grid_size[1] + 1, width)
        )
        for name, param in extra_params.items():
            self.register_parameter(name, param)
        self.ln_pre = LayerNorm(width)
        self.transformer = build_clip_transformer(
            width, arch['depth'], arch['num_heads'], quick_gelu
        )
        self.ln_post = LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, self.embed_dims))

    def forward_blocks(self, tokens: torch.Tensor) -> torch.Tensor:
        """All blocks on embedded tokens ``(B, L, width)`` (no ``ln_post``)."""
        for block in self.blocks:
            tokens = block(tokens)
        return tokens

    @staticmethod
    def attention_norm(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """The norm in front of a block's attention (``ln_1``)."""
        return block.ln_1(x)

    @staticmethod
    def attention(
        block: nn.Module,
        x: torch.Tensor,
        key_padding_mask: Optional[torch.Tensor] = None,
    ) -> torch.Tensor:
        """``ls_1(attn(x))``: a block's attention branch, no residual.

        Args:
            block (nn.Module): A CLIP / ViCLIP block.
            x (torch.Tensor): ``(B, N, C)`` tokens, already through
                :meth:`attention_norm`.
            key_padding_mask (torch.Tensor, optional): ``(B, N)`` bool,
                True at padding tokens. Defaults to None.

        Returns:
            torch.Tensor: ``(B, N, C)``.
        """
        return block.ls_1(
            clip_attention(block, x, key_padding_mask=key_padding_mask)
        )

    @staticmethod
    def mlp_step(block: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """``x + ls_2(mlp(ln_2(x)))``, see :func:`clip_mlp_step`."""
        return clip_mlp_step(block, x)

    def project(self, cls_tokens: torch.Tensor) -> torch.Tensor:
        """``ln_post(cls) @ proj``: the embedding of CLS tokens."""
        return self.ln_post(cls_tokens) @ self.proj

    def pos_embed_for(self, grid: Tuple[int, int]) -> torch.Tensor:
        """The positional embedding for a ``grid`` of patches."""
        if tuple(grid) == self.grid_size:
            return self.positional_embedding
        return resize_spatial_pos_embed(self.positional_embedding[None], grid)[
            0
        ]


@MODELS.register_module()
class CLIPVisionTransformer(CLIPViTBase):
    """CLIP's image encoder, applied to every frame of a clip.

    Args:
        arch (str | dict): ``'b32'``, ``'b16'``, ``'l14'`` (OpenAI's
            ViT-B/32, ViT-B/16, ViT-L/14) or a dict with ``patch_size``,
            ``width``, ``depth``, ``num_heads``, ``embed_dims``. Defaults to
            ``'b16'``.
        img_size (int | tuple): Input resolution; the 224-pixel positional
            embedding of the weights is resized (bicubic) to it when they
            load, and again on the fly for inputs of another size.
            Defaults to 224.
        out_type (str): What :meth:`forward` returns for ``(N, C, T, H, W)``
            input: ``'embed'`` per-frame embeddings ``(N, T, D)``
            (``ln_post(cls) @ proj``), ``'video'`` their frame mean
            ``(N, D)``, ``'cls'`` per-frame ``ln_post(cls)`` ``(N, T, C)``
            (no projection), ``'tokens'`` all final tokens after
            ``ln_post`` ``(N, T, 1 + h*w, C)``. Defaults to ``'embed'``.
        quick_gelu (bool): OpenAI's activation. Defaults to True.
        frozen (bool): Freeze the encoder (gradients off, eval mode kept).
            Defaults to False.
        init_cfg (dict, optional): ``dict(type='Pretrained',
            checkpoint='checkpoints/ViT-B-16.pt')`` loads the weights when
            the model is built. Defaults to None (random init).
    """

    # The vision towers of OpenAI's releases:
    # (patch_size, width, depth, num_heads).
    arch_zoo = clip_arch_zoo(
        {
            'b32': (32, 768, 12, 12),
            'b16': (16, 768, 12, 12),
            'l14': (14, 1024, 24, 16),
        },
        CLIPViTBase.arch_keys[:4],
    )

    def __init__(
        self,
        arch: Union[str, Dict] = 'b16',
        img_size: Union[int, Tuple[int, int]] = 224,
        out_type: str = 'embed',
        quick_gelu: bool = True,
        frozen: bool = False,
        init_cfg: Optional[Dict] = None,
    ):
        super().__init__(init_cfg=init_cfg)
        arch = self.resolve_arch(arch)
        if out_type not in _OUT_TYPES:
            raise ValueError(
                f'out_type must be one of {_OUT_TYPES}, got {out_type!r}'
            )
        self.out_type = out_type
        self.description = f'CLIP {arch.get("name", "ViT")} vision encoder'
        p = arch['patch_size']
        conv1 = nn.Conv2d(3, arch['width'], p, stride=p, bias=False)
        self.build_vit(arch, img_size, conv1, quick_gelu)
        self.finish_build(frozen)

    def embed_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """Patch + CLS token + positional embedding, then ``ln_pre``.

        Args:
            frames (torch.Tensor): ``(B, 3, H, W)`` images.

        Returns:
            torch.Tensor: ``(B, 1 + h*w, width)``, CLS first, patches
            row-major.
        """
        x = self.conv1(frames)
        grid = tuple(x.shape[-2:])
        x = x.flatten(2).transpose(1, 2)
        cls = self.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1)
        x = x + self.pos_embed_for(grid).to(x.dtype)
        return self.ln_pre(x)

    def forward_frames(self, frames: torch.Tensor) -> torch.Tensor:
        """All blocks on ``(B, 3, H, W)`` images: ``(B, 1 + h*w, width)``."""
        return self.forward_blocks(self.embed_frames(frames))

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """CLIP's image embedding of ``(B, 3, H, W)`` images: ``(B, D)``."""
        return self.project(self.forward_frames(images)[:, 0])

    def encode_video(self, video: torch.Tensor) -> torch.Tensor:
        """Frame mean of the per-frame embeddings of ``(N, 3, T, H, W)``.

        Returns:
            torch.Tensor: ``(N, D)``.
        """
        n, t = video.shape[0], video.shape[2]
        frames = video.transpose(1, 2).flatten(0, 1)
        return self.encode_image(frames).reshape(n, t, -1).mean(dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Encode a clip ``(N, 3, T, H, W)`` or images ``(N, 3, H, W)``.

        Returns:
            torch.Tensor: See ``out_type``; for 4-D input the frame axis is
            absent (``'video'`` equals ``'embed'`` then).
        """
        if x.dim() == 4:
            x = x.unsqueeze(2)
            squeeze = True
        elif x.dim() == 5:
            squeeze = False
        else:
            raise ValueError(
                f'expected (N, C, T, H, W) or (N, C, H, W), got {x.shape}'
            )
        n, t = x.shape[0], x.shape[2]
        tokens = self.forward_frames(x.transpose(1, 2).flatten(0, 1))
        if self.out_type == 'tokens':
            out = self.ln_post(tokens).reshape(n, t, *tokens.shape[1:])
        elif self.out_type == 'cls':
            out = self.ln_post(tokens[:, 0]).reshape(n, t, -1)
        else:
            out = self.project(tokens[:, 0]).reshape(n, t, -1)
            if self.out_type == 'video':
                return out.mean(dim=1)
        return out[:, 0] if squeeze else out

    def extract_weights(self, state_dict: Dict, source: str) -> Dict:
        """This encoder's weights out of a released state dict.

        Accepts OpenAI / open_clip model state dicts (``visual.*``) and
        vision-only ones (``conv1.weight``, ...).

        Args:
            state_dict (dict): The file's tensors.
            source (str): The file, for messages.

        Returns:
            dict: Keys of this module; the positional embedding resized to
            ``img_size``.
        """
        own = select_prefixed(state_dict, ('visual.',))
        if own is None:
            own = dict(state_dict) if 'conv1.weight' in state_dict else {}
        if 'conv1.weight' not in own or 'proj' not in own:
            raise FoundationWeightsError(
                f'{source} holds no CLIP vision encoder (no visual.conv1 / '
                f'visual.proj); expected {self.description} weights such as '
                f'{self.weights_file or "an OpenAI CLIP .pt"}'
            )
        self._check_arch(own, source)
        own = {k: v for k, v in own.items() if not k.endswith('attn_mask')}
        own['positional_embedding'] = resize_spatial_pos_embed(
            own['positional_embedding'][None], self.grid_size
        )[0]
        return own

    def _check_arch(self, own: Dict, source: str) -> None:
        if own['conv1.weight'].dim() != 4:
            raise FoundationWeightsError(
                f'{source}: conv1.weight has shape '
                f'{tuple(own["conv1.weight"].shape)}, not an image patch '
                f'embedding (a ViCLIP file? use ViCLIPVisionTransformer)'
            )
        width, _, patch, _ = own['conv1.weight'].shape
        depth = self.num_blocks_in(own)
        found = (patch, width, depth, own['proj'].shape[1])
        wanted = (
            self.patch_size,
            self.width,
            len(self.blocks),
            self.embed_dims,
        )
        if found != wanted:
            raise FoundationWeightsError(
                f'{source} holds a CLIP vision encoder with patch {found[0]}, '
                f'width {found[1]}, {found[2]} blocks, embed {found[3]}, but '
                f'the model is {self.description} (patch {wanted[0]}, width '
                f'{wanted[1]}, {wanted[2]} blocks, embed {wanted[3]}): put '
                f'{self.weights_file or "the matching weights"} there or '
                f'change arch'
            )
