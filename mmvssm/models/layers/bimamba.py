# Copyright (c) mmvssm contributors. All rights reserved.
"""Bidirectional Mamba mixer ("bimamba v2" of Vim / VideoMamba).

Rebuilt from stock pieces (selective scan + causal conv1d, see
:mod:`mmvssm.ops`), so it needs no fork of mamba-ssm and runs on CPU, on any
GPU, and with the CUDA kernels when they are installed. Parameter names and
shapes match VideoMamba's ``Mamba(bimamba=True)``, so official checkpoints
load unchanged.
"""

import math
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmvssm.ops import causal_conv1d, selective_scan
from mmvssm.registry import MODELS

__all__ = ['BiMamba']


def _scan_names(order: int, reverse: bool) -> Dict[str, str]:
    """Attribute names of one scan's parameters.

    Order 0 uses VideoMamba's names (``conv1d`` ... ``D`` forward,
    ``conv1d_b`` ... ``A_b_log``, ``D_b`` backward); extra order ``k`` adds
    ``_o{k}`` (e.g. ``conv1d_o1_b``, ``A_o1_b_log``).
    """
    tag = (f'_o{order}' if order else '') + ('_b' if reverse else '')
    return dict(
        conv1d=f'conv1d{tag}',
        x_proj=f'x_proj{tag}',
        dt_proj=f'dt_proj{tag}',
        A_log=f'A{tag}_log',
        D=f'D{tag}',
    )


@MODELS.register_module()
class BiMamba(BaseModule):
    """Bidirectional Mamba mixer with shared input/output projections.

    ``in_proj`` (shared) gives ``x`` and the gate ``z``. Each scan (forward
    over the tokens, and with ``bimamba`` also backward over the flipped
    tokens) has its own causal depthwise conv, ``x_proj``, ``dt_proj``,
    ``A_log`` and ``D``; the scans' outputs are mapped back to token order
    and **summed** (no division by 2, as VideoMamba), gated by ``act(z)``
    and projected by the shared ``out_proj``. Because the gate and
    ``out_proj`` act per token, this equals the official per-direction
    gating. All scans run as one grouped selective scan.

    Beyond VideoMamba (options used by MoMa): ``out_dim`` (e.g. 2C for a
    scale/shift pair), ``act_cfg`` (activation after the conv and on the
    gate), ``gated=False`` (no gate branch: ``in_proj`` gives only ``x``) and
    ``num_extra_orders`` extra token orders (e.g. temporal-first), each with
    its own parameter set and, with ``bimamba``, its own backward scan; the
    permutations are passed to :meth:`forward`.

    Args:
        d_model: Token width C.
        d_state: SSM state size N.
        d_conv: Width of the causal depthwise conv.
        expand: ``d_inner = int(expand * d_model)`` (may be fractional).
        dt_rank: Rank of the delta projection; ``'auto'`` = ceil(C / 16).
        dt_min: Smallest initial step size.
        dt_max: Largest initial step size.
        dt_init: ``'random'`` or ``'constant'`` init of ``dt_proj.weight``.
        dt_scale: Scale of the ``dt_proj.weight`` init.
        dt_init_floor: Lower clamp of the initial step sizes.
        conv_bias: Bias in the convs.
        bias: Bias in ``in_proj`` and ``out_proj``.
        bimamba: Add the backward scan(s).
        out_dim: Output width; None = ``d_model``.
        act_cfg: Activation config (mmcv ``build_activation_layer``);
            None = ``dict(type='SiLU')`` as in Mamba.
        gated: Use the gate branch ``z``.
        num_extra_orders: Number of extra token orders.
        scan_backend: Selective-scan backend; None follows
            ``MMVSSM_SCAN_BACKEND`` / auto (see :func:`selective_scan`).
        init_cfg: mmengine init config. The Mamba init is applied at
            construction.
    """

    def __init__(
        self,
        d_model: int,
        d_state: int = 16,
        d_conv: int = 4,
        expand: float = 2,
        dt_rank: Union[int, str] = 'auto',
        dt_min: float = 0.001,
        dt_max: float = 0.1,
        dt_init: str = 'random',
        dt_scale: float = 1.0,
        dt_init_floor: float = 1e-4,
        conv_bias: bool = True,
        bias: bool = False,
        bimamba: bool = True,
        out_dim: Optional[int] = None,
        act_cfg: Optional[dict] = None,
        gated: bool = True,
        num_extra_orders: int = 0,
        scan_backend: Optional[str] = None,
        init_cfg: Optional[Union[dict, List[dict]]] = None,
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        d_inner = int(expand * d_model)
        if d_model < 1 or d_inner < 1 or d_state < 1 or d_conv < 1:
            raise ValueError(
                f'BiMamba: d_model, int(expand * d_model), d_state and d_conv '
                f'must be >= 1; got d_model={d_model}, expand={expand}, '
                f'd_state={d_state}, d_conv={d_conv}.'
            )
        if dt_init not in ('random', 'constant'):
            raise ValueError(
                f"BiMamba: dt_init must be 'random' or 'constant', got "
                f'{dt_init!r}.'
            )
        if num_extra_orders < 0:
            raise ValueError(
                f'BiMamba: num_extra_orders must be >= 0, got '
                f'{num_extra_orders}.'
            )
        # Lazy: mmcv.cnn is slow to import and only needed at build time.
        from mmcv.cnn import build_activation_layer

        self.d_model = d_model
        self.d_state = d_state
        self.d_conv = d_conv
        self.d_inner = d_inner
        self.dt_rank = (
            math.ceil(d_model / 16) if dt_rank == 'auto' else dt_rank
        )
        self.bimamba = bimamba
        self.gated = gated
        self.num_extra_orders = num_extra_orders
        self.scan_backend = scan_backend
        self.act = build_activation_layer(act_cfg or dict(type='SiLU'))
        self.in_proj = nn.Linear(d_model, d_inner * (2 if gated else 1), bias)
        # Same creation order as VideoMamba, hence the same state_dict order.
        self._scans = [
            (order, reverse)
            for order in range(1 + num_extra_orders)
            for reverse in ((False, True) if bimamba else (False,))
        ]
        dt_cfg = dict(
            dt_min=dt_min,
            dt_max=dt_max,
            dt_init=dt_init,
            dt_scale=dt_scale,
            dt_init_floor=dt_init_floor,
        )
        for order, reverse in self._scans:
            self._add_scan(_scan_names(order, reverse), conv_bias, dt_cfg)
        self.out_proj = nn.Linear(d_inner, out_dim or d_model, bias)

    def _add_scan(
        self, names: Dict[str, str], conv_bias: bool, dt_cfg: dict
    ) -> None:
        """Create and initialise one scan's parameters (Mamba's init)."""
        d_inner, rank = self.d_inner, self.dt_rank
        conv = nn.Conv1d(
            d_inner,
            d_inner,
            self.d_conv,
            groups=d_inner,
            padding=self.d_conv - 1,
            bias=conv_bias,
        )
        x_proj = nn.Linear(d_inner, rank + 2 * self.d_state, bias=False)
        dt_proj = nn.Linear(rank, d_inner, bias=True)
        std = rank**-0.5 * dt_cfg['dt_scale']
        if dt_cfg['dt_init'] == 'constant':
            nn.init.constant_(dt_proj.weight, std)
        else:
            nn.init.uniform_(dt_proj.weight, -std, std)
        # Bias = softplus^-1(dt), dt log-uniform in [dt_min, dt_max].
        log_min, log_max = (
            math.log(dt_cfg['dt_min']),
            math.log(dt_cfg['dt_max']),
        )
        dt = torch.exp(torch.rand(d_inner) * (log_max - log_min) + log_min)
        dt = dt.clamp(min=dt_cfg['dt_init_floor'])
        with torch.no_grad():
            dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))
        dt_proj.bias._no_reinit = True
        # S4D-real init: A = -(1, 2, ..., N) for every channel.
        a_log = torch.log(torch.arange(1, self.d_state + 1, dtype=torch.float))
        a_log = nn.Parameter(a_log.repeat(d_inner, 1))
        d_skip = nn.Parameter(torch.ones(d_inner))
        a_log._no_weight_decay = True
        d_skip._no_weight_decay = True
        setattr(self, names['conv1d'], conv)
        setattr(self, names['x_proj'], x_proj)
        setattr(self, names['dt_proj'], dt_proj)
        setattr(self, names['A_log'], a_log)
        setattr(self, names['D'], d_skip)

    def _check_input(
        self, hidden_states: Tensor, extra_orders: Optional[Sequence[Tensor]]
    ) -> List[Optional[Tensor]]:
        """Validate inputs; return the token orders (None = identity)."""
        if hidden_states.dim() != 3 or hidden_states.shape[-1] != self.d_model:
            raise ValueError(
                f'BiMamba expects hidden_states of shape (batch, length, '
                f'{self.d_model}), got {tuple(hidden_states.shape)}.'
            )
        extra_orders = list(extra_orders) if extra_orders is not None else []
        if len(extra_orders) != self.num_extra_orders:
            raise ValueError(
                f'BiMamba was built with num_extra_orders='
                f'{self.num_extra_orders} but forward got '
                f'{len(extra_orders)} extra orders; pass exactly that many '
                f'permutations.'
            )
        length = hidden_states.shape[1]
        for perm in extra_orders:
            if perm.shape != (length,) or perm.dtype != torch.long:
                raise ValueError(
                    f'BiMamba: each extra order must be a LongTensor '
                    f'permutation of the {length} tokens, got dtype '
                    f'{perm.dtype} and shape {tuple(perm.shape)}.'
                )
        return [None, *extra_orders]

    def forward(
        self,
        hidden_states: Tensor,
        extra_orders: Optional[Sequence[Tensor]] = None,
    ) -> Tensor:
        """Mix the tokens.

        Args:
            hidden_states: Tokens, (B, L, C).
            extra_orders: ``num_extra_orders`` permutations of ``range(L)``
                (LongTensor, (L,)): extra scan ``k`` reads the tokens in the
                order ``hidden_states[:, extra_orders[k]]``.

        Returns:
            Tensor: (B, L, out_dim), ``out_dim`` defaulting to C.
        """
        orders = self._check_input(hidden_states, extra_orders)
        batch, length, _ = hidden_states.shape
        d_inner, n_scans = self.d_inner, len(self._scans)
        xz = self.in_proj(hidden_states).transpose(1, 2)  # (B, E, L)
        x = xz[:, :d_inner]
        seqs = []
        for perm in orders:
            seq = x if perm is None else x.index_select(-1, perm)
            seqs.append(seq)
            if self.bimamba:
                seqs.append(seq.flip(-1))
        params = [
            {k: getattr(self, v) for k, v in _scan_names(*scan).items()}
            for scan in self._scans
        ]
        # All scans at once: channels of scan s are block s of S * d_inner.
        convs = [p['conv1d'] for p in params]
        conv_bias = (
            torch.cat([c.bias for c in convs])
            if convs[0].bias is not None
            else None
        )
        fused_silu = isinstance(self.act, nn.SiLU)
        xc = causal_conv1d(
            torch.cat(seqs, dim=1),
            torch.cat([c.weight for c in convs]),
            conv_bias,
            activation='silu' if fused_silu else None,
        )
        if not fused_silu:
            xc = self.act(xc)
        x_dbl = torch.matmul(
            torch.stack([p['x_proj'].weight for p in params]),
            xc.reshape(batch, n_scans, d_inner, length),
        )  # (B, S, rank + 2N, L)
        dt, b_mat, c_mat = x_dbl.split(
            [self.dt_rank, self.d_state, self.d_state], dim=2
        )
        delta = torch.matmul(
            torch.stack([p['dt_proj'].weight for p in params]), dt
        ).flatten(1, 2)
        y = selective_scan(
            xc,
            delta,
            -torch.exp(torch.cat([p['A_log'] for p in params]).float()),
            b_mat.contiguous(),
            c_mat.contiguous(),
            D=torch.cat([p['D'] for p in params]).float(),
            delta_bias=torch.cat([p['dt_proj'].bias for p in params]).float(),
            delta_softplus=True,
            backend=self.scan_backend,
        ).reshape(batch, n_scans, d_inner, length)
        out = 0
        for i, perm in enumerate(orders):
            if self.bimamba:
                y_order = y[:, 2 * i] + y[:, 2 * i + 1].flip(-1)
            else:
                y_order = y[:, i]
            if perm is not None:
                y_order = y_order.index_select(-1, torch.argsort(perm))
            out = out + y_order
        if self.gated:
            out = out * self.act(xz[:, d_inner:])
        return self.out_proj(out.transpose(1, 2))
