# Copyright (c) mmvssm contributors. All rights reserved.
"""Let mmaction2's classification heads run in fp32 under autocast.

Under bf16 autocast (CPU, or ``AmpOptimWrapper(dtype='bfloat16')`` on GPU)
an mmaction2 head's linear layer returns bf16 scores: logits keep 8 bits
of mantissa (a logit of 10 is rounded to a multiple of 0.06), and
``mmaction.models.heads.BaseHead.loss_by_feat`` computes the training
accuracy with ``cls_scores.detach().cpu().numpy()``, which raises
``TypeError: Got unsupported ScalarType BFloat16``: bf16 training of any
mmaction2 recognizer fails at its first step.

:func:`fix_bf16_head_scores` makes ``BaseHead.loss`` and
``BaseHead.predict`` run the head in fp32 (autocast off, features cast to
fp32; the head is one small linear layer, so this costs nothing), and, for
heads called some other way, casts bf16 scores to fp32 before
``loss_by_feat`` / ``predict_by_feat``.
"""

import functools

__all__ = ['fix_bf16_head_scores', 'fp32_head']


def _float(value):
    import torch

    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.float()
    if isinstance(value, (list, tuple)):
        return type(value)(_float(v) for v in value)
    return value


def _device_type(value) -> str:
    import torch

    if isinstance(value, torch.Tensor):
        return value.device.type
    if isinstance(value, (list, tuple)) and value:
        return _device_type(value[0])
    return 'cpu'


def fp32_head(method):
    """Run a head method ``method(self, feats, ...)`` in fp32.

    Under autocast for the features' device, autocast is switched off and
    the features are cast to fp32; without autocast nothing changes.
    """

    @functools.wraps(method)
    def wrapper(self, feats, *args, **kwargs):
        import torch

        device = _device_type(feats)
        if not torch.is_autocast_enabled(device):
            return method(self, feats, *args, **kwargs)
        with torch.autocast(device_type=device, enabled=False):
            return method(self, _float(feats), *args, **kwargs)

    wrapper._mmvssm_fp32_scores = True
    return wrapper


def _fp32_scores(method):
    @functools.wraps(method)
    def wrapper(self, cls_scores, *args, **kwargs):
        import torch

        if (
            isinstance(cls_scores, torch.Tensor)
            and cls_scores.dtype == torch.bfloat16
        ):
            cls_scores = cls_scores.float()
        return method(self, cls_scores, *args, **kwargs)

    wrapper._mmvssm_fp32_scores = True
    return wrapper


def fix_bf16_head_scores() -> bool:
    """Make mmaction2's heads compute their scores in fp32 (once).

    Wraps ``BaseHead.loss`` / ``predict`` (:func:`fp32_head`) and
    ``BaseHead.loss_by_feat`` / ``predict_by_feat`` (bf16 scores to fp32).

    Returns:
        bool: Whether the wrappers were installed now.
    """
    from mmaction.models.heads.base import BaseHead

    if getattr(BaseHead.loss_by_feat, '_mmvssm_fp32_scores', False):
        return False
    BaseHead.loss = fp32_head(BaseHead.loss)
    BaseHead.predict = fp32_head(BaseHead.predict)
    BaseHead.loss_by_feat = _fp32_scores(BaseHead.loss_by_feat)
    BaseHead.predict_by_feat = _fp32_scores(BaseHead.predict_by_feat)
    return True
