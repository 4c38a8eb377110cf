# Copyright (c) mmvssm contributors. All rights reserved.
"""MoMa's Modulate stage: an SSM over the whole sequence modulates tokens.

``SeqMod(x, y1, y2) = y1 * x + y2 + x`` with ``(y1, y2)`` the two halves of
the SSM's doubled output: a per-token scale and shift. The SSM's output
projection starts at zero, so at initialisation ``y1 = y2 = 0`` and the
stage is the identity: a MoMa block then equals the frozen (windowed)
foundation block exactly.
"""

from typing import Optional, Sequence

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmvssm.registry import MODELS

from .bimamba import BiMamba

__all__ = ['SeqMod', 'seqmod']

FUSIONS = ('seqmod', 'raw_adan', 'add')


def seqmod(x: Tensor, y1: Tensor, y2: Tensor) -> Tensor:
    """``y1 * x + y2 + x``: sequence modulation.

    Args:
        x (Tensor): Tokens ``(B, L, C)``.
        y1 (Tensor): Scale, broadcastable to ``x``.
        y2 (Tensor): Shift, broadcastable to ``x``.

    Returns:
        Tensor: ``(B, L, C)``.
    """
    return x + y1 * x + y2


@MODELS.register_module()
class SeqMod(BaseModule):
    """Norm -> bidirectional Mamba -> fuse the output into the tokens.

    Fusions (the paper's ablation, Table 5):

    * ``'seqmod'`` (default): the SSM outputs ``2C`` per token, split into
      scale ``y1`` and shift ``y2``; ``x + y1 * x + y2``.
    * ``'raw_adan'``: the same, but ``y1``, ``y2`` are averaged over the
      sequence first and broadcast to every token (AdaN-style).
    * ``'add'``: the SSM outputs ``C`` per token; ``x + y``.

    The SSM is :class:`~mmvssm.models.layers.BiMamba`; MoMa's defaults
    (reconstructed where the paper is silent): ``d_inner = C / 2``
    (``expand=0.5``), ``d_state=16``, GELU, no gate branch, forward and
    backward scans over the given token order, optional extra orders.

    Args:
        embed_dims (int): Token width C.
        fusion (str): One of ``'seqmod'``, ``'raw_adan'``, ``'add'``.
            Defaults to ``'seqmod'``.
        expand (float): ``d_inner = int(expand * C)``. Defaults to 0.5.
        d_state (int): SSM state size. Defaults to 16.
        d_conv (int): Causal conv width. Defaults to 4.
        act_cfg (dict): Activation after the conv. Defaults to
            ``dict(type='GELU')``.
        gated (bool): Mamba's gate branch. Defaults to False.
        bimamba (bool): Add the backward scan(s). Defaults to True.
        num_extra_orders (int): Extra token orders (e.g. temporal-first),
            each with its own forward/backward scan; their permutations are
            passed to :meth:`forward`. Defaults to 0.
        zero_init (bool): Zero the SSM's output projection so that the
            stage starts as the identity. Defaults to True.
        norm_cfg (dict): Pre-norm of the SSM input. Defaults to
            ``dict(type='LN', eps=1e-5)``.
        scan_backend (str, optional): Selective-scan backend. Defaults to
            None (auto).
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(
        self,
        embed_dims: int,
        fusion: str = 'seqmod',
        expand: float = 0.5,
        d_state: int = 16,
        d_conv: int = 4,
        act_cfg: Optional[dict] = None,
        gated: bool = False,
        bimamba: bool = True,
        num_extra_orders: int = 0,
        zero_init: bool = True,
        norm_cfg: Optional[dict] = None,
        scan_backend: Optional[str] = None,
        init_cfg: Optional[dict] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if fusion not in FUSIONS:
            raise ValueError(
                f'SeqMod: fusion must be one of {FUSIONS}, got {fusion!r}'
            )
        from mmcv.cnn import build_norm_layer

        self.embed_dims = embed_dims
        self.fusion = fusion
        self.zero_init = zero_init
        self.norm = build_norm_layer(
            norm_cfg or dict(type='LN', eps=1e-5), embed_dims
        )[1]
        self.ssm = BiMamba(
            embed_dims,
            d_state=d_state,
            d_conv=d_conv,
            expand=expand,
            bimamba=bimamba,
            out_dim=embed_dims * (1 if fusion == 'add' else 2),
            act_cfg=act_cfg or dict(type='GELU'),
            gated=gated,
            num_extra_orders=num_extra_orders,
            scan_backend=scan_backend,
        )
        self._zero_out_proj()

    def _zero_out_proj(self) -> None:
        if not self.zero_init:
            return
        out = self.ssm.out_proj
        with torch.no_grad():
            nn.init.zeros_(out.weight)
            if out.bias is not None:
                nn.init.zeros_(out.bias)

    def init_weights(self) -> None:
        """mmengine init, then the zero output projection again."""
        super().init_weights()
        self._zero_out_proj()

    def forward(
        self, x: Tensor, extra_orders: Optional[Sequence[Tensor]] = None
    ) -> Tensor:
        """Modulate a token sequence.

        Args:
            x (Tensor): ``(B, L, C)`` tokens in the primary scan order.
            extra_orders (Sequence[Tensor], optional): ``num_extra_orders``
                permutations of ``range(L)`` (see ``BiMamba``).

        Returns:
            Tensor: ``(B, L, C)``.
        """
        y = self.ssm(self.norm(x), extra_orders).to(x.dtype)
        if self.fusion == 'add':
            return x + y
        if self.fusion == 'raw_adan':
            y = y.mean(dim=1, keepdim=True)
        y1, y2 = y.chunk(2, dim=-1)
        return seqmod(x, y1, y2)
