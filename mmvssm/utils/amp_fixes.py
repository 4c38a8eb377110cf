# Copyright (c) mmvssm contributors. All rights reserved.
"""Let mmaction2's classification heads run under bf16 autocast.

``mmaction.models.heads.BaseHead.loss_by_feat`` computes the training
accuracy with ``cls_scores.detach().cpu().numpy()``, which raises
``TypeError: Got unsupported ScalarType BFloat16`` when the head's linear
layer ran under bf16 autocast (CPU, or ``AmpOptimWrapper(dtype='bfloat16')``
on GPU): bf16 training of any mmaction2 recognizer fails at its first step.
:func:`fix_bf16_head_scores` makes the head see fp32 scores (the loss is
computed in fp32 under autocast anyway), in the loss and in prediction.
"""

import functools

__all__ = ['fix_bf16_head_scores']


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
    """Wrap ``BaseHead.loss_by_feat`` / ``predict_by_feat`` (once).

    Returns:
        bool: Whether the wrappers were installed now.
    """
    from mmaction.models.heads.base import BaseHead

    if getattr(BaseHead.loss_by_feat, '_mmvssm_fp32_scores', False):
        return False
    BaseHead.loss_by_feat = _fp32_scores(BaseHead.loss_by_feat)
    BaseHead.predict_by_feat = _fp32_scores(BaseHead.predict_by_feat)
    return True
