# Copyright (c) mmvssm contributors. All rights reserved.
"""Layer-wise learning-rate decay for any backbone with ``get_layer_depth``.

mmaction2's ``LearningRateDecayOptimizerConstructor`` only knows class names
containing ``MViT``/``VisionTransformer``; mmpretrain's needs
``model.get_layer_depth``, which mmaction2 recognizers lack, and neither
honours the ``_no_weight_decay`` tags of Mamba and VideoMamba (``A_log`` is
2-D, so a flat-param rule misses it). This constructor asks the backbone
(mmpretrain protocol: ``get_layer_depth(param_name, prefix) -> (depth,
num_depths)``) and keeps tagged parameters out of weight decay.
"""

from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Tuple

from mmengine.logging import MMLogger
from mmengine.optim import DefaultOptimWrapperConstructor
from torch import nn

from mmvssm.registry import OPTIM_WRAPPER_CONSTRUCTORS

__all__ = ['LayerDecayOptimWrapperConstructor']


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class LayerDecayOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Per-layer lr scales plus no-weight-decay tags.

    A parameter at depth ``d`` of ``D`` depths gets lr
    ``base_lr * layer_decay_rate ** (D - 1 - d)``. ``paramwise_cfg`` keys:

    - ``layer_decay_rate`` (float): Decay per layer. Defaults to 1 (off).
    - ``decay_type`` (str): ``'layer_wise'`` (every depth decays, default)
      or ``'stem_only'``: only depth 0 (for VideoMamba: patch embedding, cls
      token, position table) is scaled, by ``rate ** (D - 1)``, the rest keeps
      the base lr. The latter is what the released VideoMamba fine-tuning
      code does (its per-layer rule is commented out).
    - ``bias_decay_mult`` / ``flat_decay_mult`` / ``norm_decay_mult``
      (float): Weight-decay multipliers for biases, 1-D parameters and norm
      layers' parameters (mmengine meaning).
    - ``custom_keys`` (dict): Substring of a parameter name to
      ``dict(lr_mult=..., decay_mult=...)``; the longest match wins.

    Parameters tagged ``_no_weight_decay=True`` get no weight decay: the one
    channel for it (Mamba's ``A_log``, ``D``, ..., VideoMamba's ``cls_token``
    and position tables; a model marks its own). Frozen parameters are left
    out.
    Parameters with equal settings share one optimizer group.

    Example:
        >>> optim_wrapper = dict(
        ...     optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
        ...     constructor='LayerDecayOptimWrapperConstructor',
        ...     paramwise_cfg=dict(
        ...         layer_decay_rate=0.75, decay_type='stem_only',
        ...         bias_decay_mult=0.0, flat_decay_mult=0.0))
    """

    DECAY_TYPES = ('layer_wise', 'stem_only')
    _KNOWN_KEYS = {
        'layer_decay_rate',
        'decay_type',
        'bias_decay_mult',
        'flat_decay_mult',
        'norm_decay_mult',
        'custom_keys',
    }

    def __init__(
        self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None
    ) -> None:
        paramwise_cfg = dict(paramwise_cfg or {})
        unknown = set(paramwise_cfg) - self._KNOWN_KEYS
        if unknown:
            raise ValueError(
                'LayerDecayOptimWrapperConstructor got unknown paramwise_cfg '
                f'keys {sorted(unknown)}; allowed: {sorted(self._KNOWN_KEYS)}'
            )
        decay_type = paramwise_cfg.setdefault('decay_type', 'layer_wise')
        if decay_type not in self.DECAY_TYPES:
            raise ValueError(
                f'paramwise_cfg.decay_type={decay_type!r} is not supported; '
                f'use one of {self.DECAY_TYPES}'
            )
        # A non-empty paramwise_cfg makes mmengine call add_params.
        paramwise_cfg.setdefault('layer_decay_rate', 1.0)
        super().__init__(optim_wrapper_cfg, paramwise_cfg)

    @staticmethod
    def _depth_fn(model: nn.Module) -> Callable[[str], Tuple[int, int]]:
        """``name -> (depth, num_depths)`` from the model or its backbone."""
        if hasattr(model, 'get_layer_depth'):
            return model.get_layer_depth
        backbone = getattr(model, 'backbone', None)
        if backbone is not None and hasattr(backbone, 'get_layer_depth'):
            return lambda name: backbone.get_layer_depth(name, 'backbone.')
        raise TypeError(
            'LayerDecayOptimWrapperConstructor needs get_layer_depth('
            'param_name, prefix) on the model or its backbone, and '
            f'{type(model).__name__} (backbone '
            f'{type(backbone).__name__}) has none; add it or use the '
            'default constructor'
        )

    def _weight_decay(
        self,
        name: str,
        param: nn.Parameter,
        is_norm: bool,
        custom: Dict,
    ) -> float:
        """Weight decay of one parameter."""
        cfg = self.paramwise_cfg
        base_wd = self.base_wd or 0.0
        if getattr(param, '_no_weight_decay', False):
            return 0.0
        if 'decay_mult' in custom:
            return base_wd * custom['decay_mult']
        if is_norm and cfg.get('norm_decay_mult') is not None:
            return base_wd * cfg['norm_decay_mult']
        if name.endswith('.bias') and cfg.get('bias_decay_mult') is not None:
            return base_wd * cfg['bias_decay_mult']
        if param.ndim == 1 and cfg.get('flat_decay_mult') is not None:
            return base_wd * cfg['flat_decay_mult']
        return base_wd

    def _lr_scale(self, depth: int, num_depths: int) -> float:
        """Layer-decay lr factor of a depth."""
        rate = self.paramwise_cfg['layer_decay_rate']
        if self.paramwise_cfg['decay_type'] == 'stem_only':
            return rate ** (num_depths - 1) if depth == 0 else 1.0
        return rate ** (num_depths - 1 - depth)

    def add_params(
        self, params: List[dict], module: nn.Module, prefix: str = '', **kw
    ) -> None:
        """Fill ``params`` with grouped parameters of ``module``.

        Args:
            params (list[dict]): Parameter groups, extended in place.
            module (nn.Module): The model.
            prefix (str): Unused; names are taken from ``module``.
        """
        depth_fn = self._depth_fn(module)
        custom_keys = self.paramwise_cfg.get('custom_keys', {})
        sorted_keys = sorted(sorted(custom_keys), key=len, reverse=True)
        norm_types = (
            nn.modules.batchnorm._NormBase,
            nn.GroupNorm,
            nn.LayerNorm,
            nn.RMSNorm,
        )
        norm_params = {
            id(p)
            for m in module.modules()
            if isinstance(m, norm_types)
            for p in m.parameters(recurse=False)
        }
        groups: Dict[tuple, dict] = OrderedDict()
        for name, param in module.named_parameters():
            if not param.requires_grad:
                continue
            key = next((k for k in sorted_keys if k in name), None)
            custom = dict(custom_keys[key]) if key is not None else {}
            depth, num_depths = depth_fn(name)
            lr_scale = self._lr_scale(depth, num_depths)
            lr_scale *= custom.get('lr_mult', 1.0)
            wd = self._weight_decay(
                name, param, id(param) in norm_params, custom
            )
            group = groups.setdefault(
                (lr_scale, wd),
                dict(
                    params=[],
                    param_names=[],
                    lr=self.base_lr * lr_scale,
                    weight_decay=wd,
                    lr_scale=lr_scale,
                ),
            )
            group['params'].append(param)
            group['param_names'].append(name)
        params.extend(groups.values())
        logger = MMLogger.get_current_instance()
        for group in groups.values():
            logger.debug(
                f'lr_scale={group["lr_scale"]:.3g} '
                f'weight_decay={group["weight_decay"]:.3g}: '
                + ', '.join(group['param_names'])
            )
