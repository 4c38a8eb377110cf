# Copyright (c) mmvssm contributors. All rights reserved.
"""Random grayscale for video clips: one decision for every frame.

ViFi-CLIP's training pipeline (which MSTA uses) turns a clip gray with
probability 0.2; mmcv's ``RandomGrayscale`` handles one image
(``results['img']``), not mmaction2's frame list. ViFi-CLIP's ColorJitter
with probability 0.8 is ``RandomApply([ColorJitter(...)], prob=0.8)``
(mmcv's ``RandomApply`` around mmaction2's ``ColorJitter``; keep its
``hue=0``: mmaction2 1.2.0's hue shift raises ``OverflowError`` under
numpy 2 when the drawn offset is negative).
"""

import random
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmvssm.registry import TRANSFORMS

__all__ = ['VideoRandomGrayscale']

# ITU-R BT.601 luma weights of R, G, B (torchvision's rgb_to_grayscale).
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@TRANSFORMS.register_module()
class VideoRandomGrayscale(BaseTransform):
    """Turn every frame of a clip gray (3 equal channels) with ``prob``.

    Required keys: ``imgs`` (list of ``(H, W, 3)`` RGB frames). Modified:
    ``imgs``.

    Args:
        prob (float): Probability for a clip. Defaults to 0.2.
    """

    def __init__(self, prob: float = 0.2):
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        """Gray the clip, or leave it."""
        if random.random() >= self.prob:
            return results
        out = []
        for img in results['imgs']:
            gray = img[..., :3].astype(np.float32) @ _LUMA
            if np.issubdtype(img.dtype, np.integer):
                gray = np.clip(np.round(gray), 0, np.iinfo(img.dtype).max)
            out.append(np.repeat(gray[..., None], 3, -1).astype(img.dtype))
        results['imgs'] = out
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob})'
