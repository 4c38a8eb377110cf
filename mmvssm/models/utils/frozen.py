# Copyright (c) mmvssm contributors. All rights reserved.
"""The frozen-foundation contract shared by MoMa, MSTA and zero-shot models.

* :func:`freeze_foundation` turns gradients off for a foundation model's
  parameters and keeps every fully frozen sub-module in eval mode (dropout
  off, norms in inference mode) even when the model is put in ``train()``;
  sub-modules added later with trainable parameters (adapters, SSM layers)
  train normally, and so do the modules around them.
* :func:`log_parameter_summary` prints the trainable / frozen parameter
  counts through mmengine's logger.
* :func:`exclude_frozen_from_checkpoint` leaves frozen parameters out of the
  model's state dict (so a K400 run does not write 150M frozen weights every
  epoch) and lets loading such a state dict report no missing keys for
  them. Use it only when the frozen weights are loaded when the model is
  built (as mmvssm's CLIP / ViCLIP encoders do from their ``init_cfg``):
  then ``--resume`` and ``tools/test.py`` restore the full model.
"""

import types
from typing import Dict, Iterable, List, Sequence, Union

__all__ = [
    'freeze_foundation',
    'frozen_modules',
    'exclude_frozen_from_checkpoint',
    'parameter_summary',
    'log_parameter_summary',
]


def _matches(name: str, patterns: Sequence[str]) -> bool:
    return any(
        name == p or name.startswith(p + '.') or f'.{p}.' in f'.{name}.'
        for p in patterns
    )


def frozen_modules(module) -> List:
    """The largest sub-modules whose parameters all have gradients off.

    Args:
        module (nn.Module): The model.

    Returns:
        list[nn.Module]: Sub-modules (not ``module`` itself unless it is
        fully frozen) with at least one parameter and none trainable, not
        nested in one another.
    """
    out = []

    def visit(m) -> None:
        params = list(m.parameters())
        if params and not any(p.requires_grad for p in params):
            out.append(m)
            return
        for child in m.children():
            visit(child)

    visit(module)
    return out


def _train_keeping_frozen_eval(self, mode: bool = True):
    type(self).train(self, mode)
    if mode:
        for m in frozen_modules(self):
            m.eval()
    return self


def freeze_foundation(module, trainable: Union[str, Iterable[str]] = ()):
    """Freeze a foundation model in place; keep its frozen parts in eval.

    Args:
        module (nn.Module): The foundation model (or a model holding one).
        trainable (str | Iterable[str]): Parameter names or module paths
            (relative to ``module``) that stay trainable, e.g.
            ``('ssm', 'adapter')`` matches any ``...ssm...`` component.
            Defaults to ``()``: everything frozen.

    Returns:
        nn.Module: ``module``, whose ``train()`` now leaves its fully frozen
        sub-modules in eval mode.
    """
    patterns = (trainable,) if isinstance(trainable, str) else tuple(trainable)
    for name, param in module.named_parameters():
        param.requires_grad_(_matches(name, patterns))
    module.train = types.MethodType(_train_keeping_frozen_eval, module)
    module.train(module.training)
    return module


def parameter_summary(module) -> Dict[str, int]:
    """Count a model's parameters.

    Args:
        module (nn.Module): The model.

    Returns:
        dict[str, int]: ``trainable``, ``frozen`` and ``total`` counts.
    """
    trainable = frozen = 0
    for p in module.parameters():
        if p.requires_grad:
            trainable += p.numel()
        else:
            frozen += p.numel()
    return dict(trainable=trainable, frozen=frozen, total=trainable + frozen)


def log_parameter_summary(module, name: str = '') -> Dict[str, int]:
    """Print the trainable / frozen parameter summary (mmengine logger).

    Args:
        module (nn.Module): The model.
        name (str): Its name in the message. Defaults to the class name.

    Returns:
        dict[str, int]: The counts of :func:`parameter_summary`.
    """
    from mmengine.logging import print_log

    counts = parameter_summary(module)
    total = max(counts['total'], 1)
    print_log(
        f'{name or type(module).__name__}: '
        f'{counts["trainable"] / 1e6:.3f}M trainable '
        f'({100 * counts["trainable"] / total:.2f}%), '
        f'{counts["frozen"] / 1e6:.3f}M frozen, '
        f'{counts["total"] / 1e6:.3f}M parameters',
        logger='current',
    )
    return counts


def exclude_frozen_from_checkpoint(module):
    """Leave frozen parameters out of ``module``'s state dict.

    Call it on the model the runner saves (the recognizer). Saving drops
    every parameter whose ``requires_grad`` is off at that moment; loading
    a state dict without them reports them neither missing (strict loads
    pass) nor touched (they keep the values loaded at build time).

    Args:
        module (nn.Module): The model.

    Returns:
        nn.Module: ``module``.
    """

    def frozen_names(m, prefix: str = '') -> set:
        return {
            prefix + n for n, p in m.named_parameters() if not p.requires_grad
        }

    def drop_frozen(m, state_dict, prefix, local_metadata):
        for key in frozen_names(m, prefix):
            state_dict.pop(key, None)

    def forgive_missing(m, incompatible_keys):
        frozen = frozen_names(m)
        incompatible_keys.missing_keys[:] = [
            k for k in incompatible_keys.missing_keys if k not in frozen
        ]

    module.register_state_dict_post_hook(drop_frozen)
    module.register_load_state_dict_post_hook(forgive_missing)
    return module
