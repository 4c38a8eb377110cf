# Copyright (c) mmvssm contributors. All rights reserved.
"""VideoMamba (Li et al., ECCV 2024): a pure state-space video backbone.

Module and parameter names follow the official implementation
(OpenGVLab/VideoMamba, ``videomamba/video_sm/models/videomamba.py``), so an
official ``.pth`` loads without conversion: ``cls_token``, ``pos_embed``,
``temporal_pos_embedding``, ``patch_embed.proj``, ``layers.{i}.norm``,
``layers.{i}.mixer.*`` and ``norm_f``. Checkpoint adaptation (wrappers,
ImageNet 2D patch weights, masked-pretraining names, position-embedding
interpolation) happens in a load-state-dict pre-hook, so it works for
``init_cfg=dict(type='Pretrained', ...)``, ``load_from`` and a plain
``load_state_dict`` alike.
"""

import math
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.utils.checkpoint as cp
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.utils import to_2tuple
from torch import Tensor, nn

from mmvssm.ops import add_rms_norm
from mmvssm.registry import MODELS

from ..layers import (
    BiMamba,
    PatchEmbed3D,
    resize_spatial_pos_embed,
    resize_temporal_pos_embed,
)
from ..utils import (
    adapt_videomamba_checkpoint,
    report_load_mismatches,
    resolve_arch,
    trunc_normal_002_,
)

__all__ = ['VideoMamba', 'VideoMambaBlock']

# Parameters the official recipe keeps out of weight decay (its
# ``no_weight_decay``); tagged ``_no_weight_decay`` like the mixer's A_log, D.
_NO_DECAY_PARAMS = ('cls_token', 'pos_embed', 'temporal_pos_embedding')


class VideoMambaBlock(nn.Module):
    """Pre-norm residual block: ``residual += drop(hidden)``, norm, mixer.

    As in the official code, the block receives the previous mixer's output
    and the residual stream, adds them (the residual kept in fp32), applies
    RMSNorm and its mixer, and returns ``(mixer output, residual)``. Drop
    path therefore acts on the *previous* block's mixer output; the model
    passes each block the rate of the mixer before it.

    Args:
        embed_dims (int): Channels.
        drop_path (float): Drop-path rate for the incoming mixer output.
            Defaults to 0.
        norm_eps (float): RMSNorm epsilon. Defaults to 1e-5.
        residual_in_fp32 (bool): Keep the residual stream in fp32.
            Defaults to True.
        mixer_cfg (dict, optional): Keyword arguments of
            :class:`~mmvssm.models.layers.BiMamba`.
    """

    def __init__(
        self,
        embed_dims: int,
        drop_path: float = 0.0,
        norm_eps: float = 1e-5,
        residual_in_fp32: bool = True,
        mixer_cfg: Optional[dict] = None,
    ) -> None:
        super().__init__()
        self.residual_in_fp32 = residual_in_fp32
        self.mixer = BiMamba(embed_dims, **(mixer_cfg or {}))
        self.norm = nn.RMSNorm(embed_dims, eps=norm_eps)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else None

    def forward(
        self, hidden: Tensor, residual: Optional[Tensor] = None
    ) -> Tuple[Tensor, Tensor]:
        """Run the block.

        Args:
            hidden (Tensor): Previous mixer output (or the embeddings for the
                first block), ``(N, L, C)``.
            residual (Tensor, optional): Residual stream; None for the first
                block.

        Returns:
            tuple[Tensor, Tensor]: This block's mixer output and the residual.
        """
        if residual is not None and self.drop_path is not None:
            hidden = self.drop_path(hidden)
        hidden, residual = add_rms_norm(
            hidden, residual, self.norm, residual_in_fp32=self.residual_in_fp32
        )
        return self.mixer(hidden), residual


@MODELS.register_module()
class VideoMamba(BaseModule):
    """VideoMamba backbone.

    Tokens: a Conv3d tubelet embedding, one cls token at index 0, then the
    patches of frame 0, frame 1, ... (frame-major, "spatial-first"); each
    frame gets the spatial position table, patch tokens also the temporal
    one. Blocks are pre-norm residual bidirectional-Mamba blocks with RMSNorm
    and an fp32 residual stream; a final RMSNorm (``norm_f``) closes.

    When the input grid or frame count differs from the one the model was
    built for, the position tables are interpolated on the fly (bicubic in
    space, linear in time), the same way checkpoints are adapted on load.

    Args:
        arch (str | dict): ``'tiny'``/``'small'``/``'middle'`` (or
            ``'t'``/``'s'``/``'m'``), or a dict with ``embed_dims`` and
            ``num_layers``. Defaults to ``'tiny'``.
        img_size (int | tuple[int, int]): Input size the position table is
            built for. Defaults to 224.
        patch_size (int): Spatial patch size. Defaults to 16.
        num_frames (int): Input frames the temporal table is built for.
            Defaults to 8.
        tubelet_size (int): Frames per token. Defaults to 1 (all released
            models).
        in_channels (int): Input channels. Defaults to 3.
        drop_rate (float): Dropout after the position embeddings.
            Defaults to 0.
        drop_path_rate (float): Stochastic-depth rate of the last mixer; the
            j-th mixer output is dropped with ``j * rate / (depth - 1)``.
            Defaults to 0.
        norm_eps (float): RMSNorm epsilon. Defaults to 1e-5.
        residual_in_fp32 (bool): Keep the residual stream in fp32.
            Defaults to True.
        out_type (str): ``'cls_token'`` (``(N, C)``, for
            ``TimeSformerHead``), ``'avg_featmap'`` (mean of the patch tokens,
            ``(N, C)``), ``'featmap'`` (``(N, C, T', h, w)``) or ``'raw'``
            (all normalized tokens, ``(N, 1 + T'hw, C)``).
            Defaults to ``'cls_token'``.
        with_cp (bool): Gradient checkpointing of the blocks.
            Defaults to False.
        num_cp_layers (int, optional): Checkpoint only the first this many
            blocks (the official ``checkpoint_num``); None means all.
        mixer_cfg (dict, optional): Keyword arguments of every block's
            :class:`~mmvssm.models.layers.BiMamba` (``d_state``, ``d_conv``,
            ``expand``, ``dt_rank``, ``scan_backend``, ...): the one place
            mixer settings enter; unset ones take BiMamba's defaults (the
            paper's: d_state 16, d_conv 4, expand 2). Defaults to None.
        init_mode (str): From-scratch init. ``'official'`` re-initializes
            every Linear, mixers included, trunc-normal(.02) with zero bias,
            as the official model: the step size then starts at
            softplus(0) = 0.69 (a memory of a few tokens) and the scan's
            B/C projections are small. ``'mamba'`` keeps the mixers' Mamba
            init (step sizes log-uniform in [0.001, 0.1]), which trains from
            scratch much better (our synthetic job). Irrelevant when weights
            are loaded. Defaults to ``'official'``.
        init_cfg (dict | list[dict], optional): mmengine init config, e.g.
            ``dict(type='Pretrained', checkpoint='videomamba_t16_in1k.pth')``.
    """

    arch_zoo = {
        **dict.fromkeys(['t', 'tiny'], dict(embed_dims=192, num_layers=24)),
        **dict.fromkeys(['s', 'small'], dict(embed_dims=384, num_layers=24)),
        **dict.fromkeys(['m', 'middle'], dict(embed_dims=576, num_layers=32)),
    }
    OUT_TYPES = ('cls_token', 'avg_featmap', 'featmap', 'raw')
    INIT_MODES = ('official', 'mamba')

    def __init__(
        self,
        arch: Union[str, dict] = 'tiny',
        img_size: Union[int, Tuple[int, int]] = 224,
        patch_size: int = 16,
        num_frames: int = 8,
        tubelet_size: int = 1,
        in_channels: int = 3,
        drop_rate: float = 0.0,
        drop_path_rate: float = 0.0,
        norm_eps: float = 1e-5,
        residual_in_fp32: bool = True,
        out_type: str = 'cls_token',
        with_cp: bool = False,
        num_cp_layers: Optional[int] = None,
        mixer_cfg: Optional[dict] = None,
        init_mode: str = 'official',
        init_cfg: Optional[Union[dict, List[dict]]] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if init_mode not in self.INIT_MODES:
            raise ValueError(
                f'VideoMamba init_mode {init_mode!r} is not supported; use '
                f'one of {self.INIT_MODES}'
            )
        self.init_mode = init_mode
        self.arch_settings = resolve_arch(
            arch,
            self.arch_zoo,
            ('embed_dims', 'num_layers'),
            owner='VideoMamba',
            exact=True,
            hint='mixer settings go in mixer_cfg',
        )
        self.embed_dims = self.arch_settings['embed_dims']
        self.num_layers = self.arch_settings['num_layers']
        if out_type not in self.OUT_TYPES:
            raise ValueError(
                f'VideoMamba out_type {out_type!r} is not supported; use one '
                f'of {self.OUT_TYPES}'
            )
        if num_frames % tubelet_size != 0:
            raise ValueError(
                f'VideoMamba num_frames={num_frames} is not a multiple of '
                f'tubelet_size={tubelet_size}; pick a frame count divisible '
                'by the tubelet size'
            )
        self.out_type = out_type
        self.patch_size = patch_size
        self.tubelet_size = tubelet_size
        self.num_frames = num_frames
        self.img_size = to_2tuple(img_size)
        self.grid_size = tuple(s // patch_size for s in self.img_size)
        self.num_tubelets = num_frames // tubelet_size
        self.with_cp = with_cp
        self.num_cp_layers = (
            self.num_layers if num_cp_layers is None else num_cp_layers
        )

        dims = self.embed_dims
        self.patch_embed = PatchEmbed3D(
            in_channels, dims, patch_size, tubelet_size
        )
        num_patches = self.grid_size[0] * self.grid_size[1]
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dims))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, dims))
        self.temporal_pos_embedding = nn.Parameter(
            torch.zeros(1, self.num_tubelets, dims)
        )
        for name in _NO_DECAY_PARAMS:
            getattr(self, name)._no_weight_decay = True
        self.pos_drop = nn.Dropout(drop_rate)

        # Mixer j's output is dropped with dpr[j]; block i receives mixer
        # i-1's output, hence the shift by one (as in the official code).
        dpr = [
            drop_path_rate * i / max(self.num_layers - 1, 1)
            for i in range(self.num_layers)
        ]
        inter_dpr = [0.0] + dpr
        self.layers = nn.ModuleList(
            VideoMambaBlock(
                dims,
                drop_path=inter_dpr[i],
                norm_eps=norm_eps,
                residual_in_fp32=residual_in_fp32,
                mixer_cfg=mixer_cfg,
            )
            for i in range(self.num_layers)
        )
        self.drop_path_f = (
            DropPath(drop_path_rate) if drop_path_rate > 0 else None
        )
        self.norm_f = nn.RMSNorm(dims, eps=norm_eps)

        self._init_from_scratch()
        self._register_load_state_dict_pre_hook(self._adapt_checkpoint)
        self.register_load_state_dict_post_hook(self._report_load)
        self._load_prefix = None

    def _init_from_scratch(self) -> None:
        """The official from-scratch init, done at construction.

        Position table trunc-normal(.02), cls and temporal tables zero, every
        Linear trunc-normal(.02) with zero bias (``init_mode='official'``;
        this also overwrites the mixer's dt init), and each ``out_proj``
        re-initialized kaiming-uniform(a=sqrt(5)) / sqrt(depth).
        Convolutions keep PyTorch's init. A ``Pretrained`` ``init_cfg`` loads
        over it in :meth:`init_weights`.
        """
        trunc_normal_002_(self.pos_embed)
        if self.init_mode == 'official':
            for module in self.modules():
                if isinstance(module, nn.Linear):
                    trunc_normal_002_(module.weight)
                    if module.bias is not None:
                        nn.init.zeros_(module.bias)
        for layer in self.layers:
            weight = layer.mixer.out_proj.weight
            nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
            with torch.no_grad():
                weight.div_(math.sqrt(self.num_layers))

    def _adapt_checkpoint(
        self, state_dict: dict, prefix: str, *args, **kwargs
    ) -> None:
        """Load-state-dict pre-hook: adapt official/other layouts in place."""
        self._load_prefix = prefix
        adapt_videomamba_checkpoint(
            state_dict,
            prefix,
            self.grid_size,
            self.num_tubelets,
            self.tubelet_size,
        )

    def _report_load(self, module: nn.Module, incompatible_keys) -> None:
        """Load-state-dict post-hook: report this backbone's key mismatches."""
        prefix, self._load_prefix = self._load_prefix, None
        report_load_mismatches('VideoMamba', prefix, incompatible_keys)

    def _position_tables(
        self, grid: Tuple[int, int], num_tubelets: int
    ) -> Tuple[Tensor, Tensor]:
        """Spatial and temporal tables for this input (resized if needed)."""
        pos = self.pos_embed
        if tuple(grid) != self.grid_size:
            pos = resize_spatial_pos_embed(pos, grid)
        temporal = resize_temporal_pos_embed(
            self.temporal_pos_embedding, num_tubelets
        )
        return pos, temporal

    def embed(self, x: Tensor) -> Tensor:
        """Token embeddings with position tables, before the blocks.

        Args:
            x (Tensor): Clips ``(N, C_in, T, H, W)``.

        Returns:
            Tensor: ``(N, 1 + T'*h*w, C)``, cls token first, frame-major.
            A subset of these tokens (order kept) may go through
            :meth:`forward_tokens`, as masked pre-training does.
        """
        if x.dim() != 5:
            raise ValueError(
                'VideoMamba expects clips shaped (N, C, T, H, W), got '
                f'{tuple(x.shape)}; use format_shape="NCTHW" in the data '
                'preprocessor'
            )
        x = self.patch_embed(x)
        n, _, t, h, w = x.shape
        pos, temporal = self._position_tables((h, w), t)
        x = x.flatten(3).permute(0, 2, 3, 1)  # (N, T', hw, C)
        x = x + pos[:, 1:].unsqueeze(1)
        x = x + temporal.unsqueeze(2)  # temporal table: patch tokens only
        x = x.flatten(1, 2)
        cls_token = (self.cls_token + pos[:, :1]).expand(n, -1, -1)
        return self.pos_drop(torch.cat([cls_token, x], dim=1))

    def forward_tokens(
        self, x: Tensor, return_layers: Sequence[int] = ()
    ) -> Union[Tensor, Tuple[Tensor, List[Tensor]]]:
        """Run the blocks and ``norm_f`` on embedded tokens.

        Args:
            x (Tensor): ``(N, L, C)`` tokens from :meth:`embed` (all, or a
                subset in their original order).
            return_layers (Sequence[int]): Block indices (negative counts
                from the end) whose output stream (residual + mixer output,
                not normalized) is returned too. Defaults to ().

        Returns:
            Tensor | tuple[Tensor, list[Tensor]]: The final-normalized
            tokens ``(N, L, C)``; with ``return_layers`` also the requested
            block outputs, in the order asked.
        """
        wanted = {i % self.num_layers: None for i in return_layers}
        hidden, residual = x, None
        for i, layer in enumerate(self.layers):
            if (
                self.with_cp
                and i < self.num_cp_layers
                and torch.is_grad_enabled()
            ):
                hidden, residual = cp.checkpoint(
                    layer, hidden, residual, use_reentrant=False
                )
            else:
                hidden, residual = layer(hidden, residual)
            if i in wanted:
                wanted[i] = residual + hidden
        if self.drop_path_f is not None:
            hidden = self.drop_path_f(hidden)
        out, _ = add_rms_norm(hidden, residual, self.norm_f)
        if not return_layers:
            return out
        return out, [wanted[i % self.num_layers] for i in return_layers]

    def forward_features(self, x: Tensor) -> Tensor:
        """All final-normalized tokens: :meth:`embed`, then the blocks.

        Args:
            x (Tensor): Clips ``(N, C_in, T, H, W)``.

        Returns:
            Tensor: ``(N, 1 + T'*h*w, C)``, cls token first, frame-major.
        """
        return self.forward_tokens(self.embed(x))

    def select_output(
        self, tokens: Tensor, input_shape: Sequence[int]
    ) -> Tensor:
        """Turn :meth:`forward_features` tokens into the ``out_type`` output.

        Args:
            tokens (Tensor): ``(N, 1 + T'*h*w, C)`` final tokens.
            input_shape (Sequence[int]): Shape of the input clips
                ``(N, C_in, T, H, W)``.

        Returns:
            Tensor: ``(N, C)`` for ``cls_token``/``avg_featmap``,
            ``(N, C, T', h, w)`` for ``featmap``, ``(N, L, C)`` for ``raw``.
        """
        if self.out_type == 'raw':
            return tokens
        if self.out_type == 'cls_token':
            return tokens[:, 0]
        patches = tokens[:, 1:]
        if self.out_type == 'avg_featmap':
            return patches.mean(dim=1)
        t = input_shape[2] // self.tubelet_size
        h = input_shape[3] // self.patch_size
        w = input_shape[4] // self.patch_size
        return patches.reshape(len(tokens), t, h, w, -1).permute(0, 4, 1, 2, 3)

    def forward(self, x: Tensor) -> Tensor:
        """Features selected by ``out_type`` (see :meth:`select_output`).

        Args:
            x (Tensor): Clips ``(N, C_in, T, H, W)``.

        Returns:
            Tensor: The ``out_type`` features.
        """
        return self.select_output(self.forward_features(x), x.shape)

    def get_layer_depth(
        self, param_name: str, prefix: str = ''
    ) -> Tuple[int, int]:
        """Layer index of a parameter, for layer-wise lr decay.

        As the official recipe: ``cls_token``, ``pos_embed`` and
        ``patch_embed`` are depth 0, ``layers.i`` is ``i + 1``, everything
        else (``norm_f``, ``temporal_pos_embedding``, heads) the last depth.

        Args:
            param_name (str): Parameter name.
            prefix (str): Prefix of this backbone in ``param_name``.
                Defaults to ''.

        Returns:
            tuple[int, int]: ``(depth, num_layers + 2)``.
        """
        num_depths = self.num_layers + 2
        if not param_name.startswith(prefix):
            return num_depths - 1, num_depths
        name = param_name[len(prefix) :]
        if name in ('cls_token', 'pos_embed') or name.startswith(
            'patch_embed.'
        ):
            return 0, num_depths
        if name.startswith('layers.'):
            return int(name.split('.')[1]) + 1, num_depths
        return num_depths - 1, num_depths
