# Copyright (c) mmvssm contributors. All rights reserved.
"""MoMa: Divide-and-Modulate on a frozen image foundation model (IFM).

Every block of the frozen IFM (CLIP ViT-B/16, L/14, any encoder of
mmvssm's CLIP family, or an mmpretrain ``VisionTransformer`` such as DINOv2
or EVA through
:class:`~mmvssm.models.backbones.MMPretrainViTFoundation`) is rewritten
as::

    x = x + attn(ln_1(x))   inside w x w windows of each frame    (Divide)
    x = SeqMod(x)           SSM over the whole clip's tokens      (Modulate)
    x = x + mlp(ln_2(x))    frozen MLP step

Only the SeqMod layers train. Their output projection starts at zero, so at
initialisation the model is the frozen IFM with windowed attention.

Choices the paper leaves open are options (defaults = the reconstruction of
``shared/papers/moma.md``):

* ``window_size=8``. A grid that the window does not divide (14 x 14 for
  B/16 at 224) is padded to the next multiple (16 x 16, four 8 x 8 windows
  per frame); padded tokens are masked out as keys and dropped afterwards,
  so the result equals attention computed window by window on the real
  tokens. A window larger than the grid is cut to the grid.
* ``cls_token='window'``: the frame's CLS token joins every window of its
  frame as an extra key/query; its new value is the mean of its outputs
  over the windows. It is not modulated (it is not part of the SSM
  sequence) and goes through the MLP step. ``'drop'`` removes it after the
  embedding.
* ``adapted_blocks='all'``: a SeqMod after the attention step of every
  block (the paper's ``[TM] x 12``), or a list of block indices.
* ``token_order='window'``: the SSM reads the patch tokens frame by frame,
  window by window, row-major inside a window (the paper's
  ``[s_1', ..., s_N']``); ``'raster'`` reads each frame row-major. Both
  directions are scanned (``BiMamba``). ``extra_orders=('temporal',)`` adds
  a temporal-first order (position by position, frames in time order) with
  its own forward/backward scans.
* SSM width ``d_inner = C / 2``, ``d_state=16``, GELU, no gate (see
  :class:`~mmvssm.models.layers.SeqMod`, set through ``seqmod_cfg``).
* Output (``out_type``): ``'embed'`` = mean of the final patch tokens over
  space and time -> ``ln_post`` -> ``proj`` ``(N, D)`` for a text head;
  ``'pooled'`` the same without ``proj`` ``(N, C)`` for a linear head;
  ``'tokens'`` ``ln_post`` of all final patch tokens ``(N, T, h*w, C)``.
"""

from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmvssm.registry import MODELS

from ..layers.seqmod import SeqMod
from ..utils.frozen import freeze_foundation, log_parameter_summary

__all__ = ['MoMa', 'window_partition', 'window_order']

_CLS_MODES = ('window', 'drop')
_TOKEN_ORDERS = ('window', 'raster')
_EXTRA_ORDERS = ('temporal',)
_OUT_TYPES = ('embed', 'pooled', 'tokens')


def _window_dims(grid: Tuple[int, int], window_size: int) -> Tuple[int, int]:
    return min(window_size, grid[0]), min(window_size, grid[1])


def window_partition(
    x: Tensor, window: Tuple[int, int]
) -> Tuple[Tensor, Tensor, Tuple[int, int]]:
    """Split ``(B, h, w, C)`` grids into windows, padding the grid.

    Args:
        x (Tensor): ``(B, h, w, C)`` tokens.
        window (tuple[int, int]): Window height and width.

    Returns:
        tuple: ``(B * nW, wh * ww, C)`` windows (batch-major, windows
        row-major), a ``(nW, wh * ww)`` bool mask that is True at padding,
        and the padded grid ``(H, W)``.
    """
    b, h, w, c = x.shape
    wh, ww = window
    ph, pw = (-h) % wh, (-w) % ww
    x = F.pad(x, (0, 0, 0, pw, 0, ph))
    hp, wp = h + ph, w + pw
    x = x.view(b, hp // wh, wh, wp // ww, ww, c).permute(0, 1, 3, 2, 4, 5)
    pad = torch.ones(hp, wp, dtype=torch.bool, device=x.device)
    pad[:h, :w] = False
    pad = pad.view(hp // wh, wh, wp // ww, ww).permute(0, 2, 1, 3)
    return (
        x.reshape(-1, wh * ww, c),
        pad.reshape(-1, wh * ww),
        (hp, wp),
    )


def window_reverse(
    windows: Tensor,
    window: Tuple[int, int],
    padded: Tuple[int, int],
    grid: Tuple[int, int],
) -> Tensor:
    """Inverse of :func:`window_partition`: ``(B, h, w, C)``, padding cut."""
    wh, ww = window
    hp, wp = padded
    c = windows.shape[-1]
    x = windows.view(-1, hp // wh, wp // ww, wh, ww, c).permute(
        0, 1, 3, 2, 4, 5
    )
    return x.reshape(-1, hp, wp, c)[:, : grid[0], : grid[1]]


def window_order(grid: Tuple[int, int], window: Tuple[int, int]) -> Tensor:
    """Row-major token indices of a frame listed window by window.

    Args:
        grid (tuple[int, int]): ``(h, w)``.
        window (tuple[int, int]): Window size.

    Returns:
        Tensor: LongTensor ``(h * w,)``: position ``k`` of the window order
        holds raster token ``order[k]``.
    """
    h, w = grid
    idx = torch.arange(h * w, dtype=torch.float).view(1, h, w, 1)
    wins, pad, _ = window_partition(idx, window)
    return wins.reshape(-1)[~pad.reshape(-1)].round().long()


@MODELS.register_module()
class MoMa(BaseModule):
    """MoMa: a frozen IFM whose blocks are divided and modulated.

    Args:
        foundation (dict): Config of the frozen IFM, a CLIP-family encoder
            (e.g. ``dict(type='CLIPVisionTransformer', arch='b16',
            init_cfg=dict(type='Pretrained', checkpoint=...))``) or
            ``dict(type='MMPretrainViTFoundation', vit=dict(...))``: a
            module with ``width``, ``patch_size``, ``embed_frames``,
            ``blocks`` (pre-norm attention / MLP blocks) and the block steps
            ``attention_norm(block, x)``, ``attention(block, x,
            key_padding_mask)`` (branch with its layer scale, no residual)
            and ``mlp_step(block, x)`` (with residual), ``ln_post``,
            ``proj`` (None: no ``out_type='embed'``) and ``encode_video``.
            It is frozen whatever the rest of the config says.
        window_size (int): Window side of the Divide stage, tokens.
            Defaults to 8.
        cls_token (str): ``'window'`` or ``'drop'`` (see the module doc).
            Defaults to ``'window'``.
        adapted_blocks (str | Sequence[int]): ``'all'`` or block indices
            that get a SeqMod. Defaults to ``'all'``.
        token_order (str): Primary SSM order, ``'window'`` or
            ``'raster'``. Defaults to ``'window'``.
        extra_orders (Sequence[str]): Extra scan orders, from
            ``('temporal',)``. Defaults to ``()``.
        seqmod_cfg (dict, optional): Arguments of
            :class:`~mmvssm.models.layers.SeqMod` (``fusion``, ``expand``,
            ``d_state``, ``act_cfg``, ``gated``, ``zero_init``, ...).
            Defaults to None (SeqMod's defaults: ``'seqmod'`` fusion,
            ``expand=0.5``, ``d_state=16``, GELU, no gate, zero init).
        out_type (str): ``'embed'``, ``'pooled'`` or ``'tokens'``.
            Defaults to ``'embed'``.
        init_cfg (dict, optional): mmengine init config of the SeqMods.
            Defaults to None.
    """

    def __init__(
        self,
        foundation: Dict,
        window_size: int = 8,
        cls_token: str = 'window',
        adapted_blocks: Union[str, Sequence[int]] = 'all',
        token_order: str = 'window',
        extra_orders: Sequence[str] = (),
        seqmod_cfg: Optional[Dict] = None,
        out_type: str = 'embed',
        init_cfg: Optional[Dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value, allowed in (
            ('cls_token', cls_token, _CLS_MODES),
            ('token_order', token_order, _TOKEN_ORDERS),
            ('out_type', out_type, _OUT_TYPES),
        ):
            if value not in allowed:
                raise ValueError(
                    f'MoMa: {name} must be one of {allowed}, got {value!r}'
                )
        extra_orders = tuple(extra_orders)
        bad = [o for o in extra_orders if o not in _EXTRA_ORDERS]
        if bad:
            raise ValueError(
                f'MoMa: extra_orders must be taken from {_EXTRA_ORDERS}, '
                f'got {bad}'
            )
        if window_size < 1:
            raise ValueError(
                f'MoMa: window_size must be >= 1, got {window_size}'
            )
        self.foundation = MODELS.build(foundation)
        freeze_foundation(self.foundation)
        if (
            out_type == 'embed'
            and getattr(self.foundation, 'proj', None) is None
        ):
            raise ValueError(
                f'MoMa: {type(self.foundation).__name__} has no embedding '
                f"projection (proj); use out_type='pooled' or 'tokens'"
            )
        self.width = self.foundation.width
        self.embed_dims = getattr(self.foundation, 'embed_dims', self.width)
        depth = len(self.foundation.blocks)
        if adapted_blocks == 'all':
            adapted = list(range(depth))
        else:
            adapted = sorted({int(i) % depth for i in adapted_blocks})
        self.adapted_blocks = adapted
        self.window_size = window_size
        self.cls_token = cls_token
        self.token_order = token_order
        self.extra_orders = extra_orders
        self.out_type = out_type
        seqmod_cfg = dict(seqmod_cfg or {})
        seqmod_cfg.setdefault('num_extra_orders', len(extra_orders))
        self.seqmods = nn.ModuleDict(
            {str(i): SeqMod(self.width, **seqmod_cfg) for i in adapted}
        )
        self._orders: Dict[tuple, List[Tensor]] = {}
        log_parameter_summary(self, 'MoMa')

    # -- frozen-foundation contract ---------------------------------------

    def init_weights(self) -> None:
        """Init the SeqMods; the IFM keeps its loaded weights, frozen."""
        super().init_weights()
        freeze_foundation(self.foundation)

    @property
    def trainable_parameters(self) -> int:
        """Number of parameters that train (the SeqMods')."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    # -- Divide -----------------------------------------------------------

    def divide(self, block: nn.Module, tokens: Tensor, grid) -> Tensor:
        """The attention step of ``block`` inside per-frame windows.

        Args:
            block (nn.Module): A frozen IFM block.
            tokens (Tensor): ``(B, [1 +] h*w, C)`` tokens of single frames,
                CLS first when ``cls_token='window'``.
            grid (tuple[int, int]): ``(h, w)``.

        Returns:
            Tensor: Same shape: ``tokens + windowed attention branch``
            (its layer scale included).
        """
        b, _, c = tokens.shape
        has_cls = self.cls_token == 'window'
        normed = self.foundation.attention_norm(block, tokens)
        patches = normed[:, 1:] if has_cls else normed
        window = _window_dims(grid, self.window_size)
        wins, pad, padded = window_partition(
            patches.reshape(b, grid[0], grid[1], c), window
        )
        num_windows = pad.shape[0]
        padded_grid = grid[0] % window[0] or grid[1] % window[1]
        mask = pad.repeat(b, 1) if padded_grid else None
        if has_cls:
            cls = normed[:, :1].repeat_interleave(num_windows, dim=0)
            wins = torch.cat([cls, wins], dim=1)
            if mask is not None:
                mask = F.pad(mask, (1, 0), value=False)
        out = self.foundation.attention(block, wins, key_padding_mask=mask)
        if has_cls:
            cls_out = out[:, 0].reshape(b, num_windows, c).mean(dim=1)
            out = out[:, 1:]
        out = window_reverse(out, window, padded, grid).reshape(b, -1, c)
        if has_cls:
            out = torch.cat([cls_out[:, None], out], dim=1)
        return tokens + out

    # -- Modulate ---------------------------------------------------------

    def scan_orders(
        self, num_frames: int, grid: Tuple[int, int], device
    ) -> List[Tensor]:
        """Primary order (raster index per position) and the extra orders.

        Returns:
            list[Tensor]: ``[primary, *extra]``; ``primary`` maps sequence
            positions to raster ``(t, y, x)`` token indices, each extra
            order is a permutation of the primary sequence.
        """
        key = (num_frames, tuple(grid), str(device))
        if key not in self._orders:
            hw = grid[0] * grid[1]
            if self.token_order == 'window':
                frame = window_order(
                    grid, _window_dims(grid, self.window_size)
                )
            else:
                frame = torch.arange(hw)
            primary = (
                torch.arange(num_frames)[:, None] * hw + frame[None]
            ).reshape(-1)
            inverse = torch.argsort(primary)
            orders = [primary]
            for name in self.extra_orders:
                if name == 'temporal':
                    raster = torch.arange(num_frames * hw).view(num_frames, hw)
                    orders.append(inverse[raster.t().reshape(-1)])
            self._orders[key] = [o.to(device) for o in orders]
        return self._orders[key]

    def modulate(
        self, index: int, patches: Tensor, num_frames: int, grid
    ) -> Tensor:
        """SeqMod ``index`` over a clip's patch tokens.

        Args:
            index (int): Block index.
            patches (Tensor): ``(N * T, h*w, C)`` patch tokens.
            num_frames (int): T.
            grid (tuple[int, int]): ``(h, w)``.

        Returns:
            Tensor: Same shape.
        """
        nt, hw, c = patches.shape
        primary, *extra = self.scan_orders(num_frames, grid, patches.device)
        seq = patches.reshape(nt // num_frames, num_frames * hw, c)
        if self.token_order != 'raster':
            seq = seq.index_select(1, primary)
        seq = self.seqmods[str(index)](seq, extra or None)
        if self.token_order != 'raster':
            seq = seq.index_select(1, torch.argsort(primary))
        return seq.reshape(nt, hw, c)

    # -- forward ----------------------------------------------------------

    def forward_tokens(self, x: Tensor) -> Tuple[Tensor, Tuple[int, int]]:
        """All blocks on a clip.

        Args:
            x (Tensor): ``(N, 3, T, H, W)``.

        Returns:
            tuple: Final tokens ``(N * T, [1 +] h*w, C)`` (before
            ``ln_post``) and the grid ``(h, w)``.
        """
        if x.dim() != 5:
            raise ValueError(
                f'MoMa expects (N, C, T, H, W), got {tuple(x.shape)}'
            )
        num_frames = x.shape[2]
        frames = x.transpose(1, 2).flatten(0, 1)
        tokens = self.foundation.embed_frames(frames)
        hw = tokens.shape[1] - 1
        p = self.foundation.patch_size
        grid = (frames.shape[-2] // p, frames.shape[-1] // p)
        assert grid[0] * grid[1] == hw
        if self.cls_token == 'drop':
            tokens = tokens[:, 1:]
        off = 0 if self.cls_token == 'drop' else 1
        for i, block in enumerate(self.foundation.blocks):
            tokens = self.divide(block, tokens, grid)
            if str(i) in self.seqmods:
                mod = self.modulate(i, tokens[:, off:], num_frames, grid)
                tokens = torch.cat([tokens[:, :off], mod], dim=1)
            tokens = self.foundation.mlp_step(block, tokens)
        return tokens, grid

    def forward(self, x: Tensor) -> Tensor:
        """Encode clips ``(N, 3, T, H, W)``; see ``out_type``."""
        n, t = x.shape[0], x.shape[2]
        tokens, _ = self.forward_tokens(x)
        patches = tokens[:, 0 if self.cls_token == 'drop' else 1 :]
        ln_post = self.foundation.ln_post
        if self.out_type == 'tokens':
            return ln_post(patches).reshape(n, t, *patches.shape[1:])
        pooled = ln_post(patches.reshape(n, -1, patches.shape[-1]).mean(1))
        if self.out_type == 'pooled':
            return pooled
        return pooled @ self.foundation.proj

    @torch.no_grad()
    def teacher_embedding(self, x: Tensor) -> Tensor:
        """The frozen IFM's full-frame video embedding (no windows, no SSM).

        Args:
            x (Tensor): ``(N, 3, T, H, W)``.

        Returns:
            Tensor: ``(N, D)``, CLIP's frame mean of ``ln_post(cls) @ proj``
            (``(N, C)`` without ``proj``).
        """
        return self.foundation.encode_video(x)
