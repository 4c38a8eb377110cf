# Copyright (c) mmvssm contributors. All rights reserved.
"""RandAugment for video clips: one sampled policy for every frame.

mmaction2 reaches RandAugment only through ``PytorchVideoWrapper``, which
needs ``pytorchvideo``. This transform implements the timm policy that
VideoMamba (via VideoMAE's ``create_random_augment``) uses, e.g.
``rand-m7-n4-mstd0.5-inc1``, with mmcv's image ops: per clip, ``num_layers``
ops are drawn (with replacement), each applied with probability 0.5 at a
magnitude drawn from N(magnitude, magnitude_std) clipped to [0, 10]; the
same op, magnitude and sign act on all frames, so motion is preserved.
"""

import random
from functools import partial
from typing import Callable, Dict, List, Sequence

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform

from mmvssm.registry import TRANSFORMS

__all__ = ['VideoRandAugment']

_MAX_LEVEL = 10.0


def _signed(value: float) -> float:
    """Random sign, as timm's ``_randomly_negate``."""
    return -value if random.random() < 0.5 else value


def _rgb_gray_op(op: Callable, img: np.ndarray, factor: float) -> np.ndarray:
    """Apply an mmcv op that assumes BGR (it takes a gray image) to RGB."""
    return np.ascontiguousarray(op(img[..., ::-1], factor)[..., ::-1])


def _solarize_add(img: np.ndarray, add: int, thresh: int = 128) -> np.ndarray:
    """Add ``add`` to pixels below ``thresh`` (timm ``solarize_add``)."""
    out = img.astype(np.int16)
    out = np.where(img < thresh, np.minimum(out + add, 255), out)
    return out.astype(np.uint8)


@TRANSFORMS.register_module()
class VideoRandAugment(BaseTransform):
    """timm-style RandAugment applied identically to every frame.

    Required keys: ``imgs`` (list of ``H x W x 3`` uint8 RGB frames).
    Modified keys: ``imgs``.

    The ops are timm's increasing set (``inc1``): AutoContrast, Equalize,
    Invert, Rotate (30 deg at level 10), Posterize (4 - 4m/10 bits), Solarize
    (threshold 256 - 256m/10), SolarizeAdd (+110m/10), Color / Contrast /
    Brightness / Sharpness (factor 1 +- 0.9m/10, at least 0.1), ShearX/Y
    (0.3m/10), TranslateX/Y (0.45m/10 of the side). With ``increasing=False``
    the Posterize/Solarize levels run the other way (4m/10 bits, threshold
    256m/10) and the enhance factors are ``0.1 + 1.8m/10``, as timm's default
    set.

    Args:
        magnitude (float): Mean magnitude, 0 to 10 (``m``). Defaults to 7.
        num_layers (int): Ops per clip (``n``). Defaults to 4.
        magnitude_std (float): Std of the magnitude noise (``mstd``).
            Defaults to 0.5.
        increasing (bool): timm's ``inc1`` op set. Defaults to True.
        prob (float): Probability of applying each drawn op.
            Defaults to 0.5.
        fill (int): Border value of geometric ops. Defaults to 128.
    """

    def __init__(
        self,
        magnitude: float = 7.0,
        num_layers: int = 4,
        magnitude_std: float = 0.5,
        increasing: bool = True,
        prob: float = 0.5,
        fill: int = 128,
    ) -> None:
        if not 0 <= magnitude <= _MAX_LEVEL:
            raise ValueError(
                f'VideoRandAugment magnitude={magnitude} is outside [0, 10]'
            )
        if num_layers < 0 or magnitude_std < 0 or not 0 <= prob <= 1:
            raise ValueError(
                'VideoRandAugment needs num_layers >= 0, magnitude_std >= 0 '
                f'and prob in [0, 1]; got {num_layers}, {magnitude_std}, '
                f'{prob}'
            )
        self.magnitude = magnitude
        self.num_layers = num_layers
        self.magnitude_std = magnitude_std
        self.increasing = increasing
        self.prob = prob
        self.fill = fill
        self.ops: Dict[str, Callable] = {
            'AutoContrast': self._auto_contrast,
            'Equalize': self._equalize,
            'Invert': self._invert,
            'Rotate': self._rotate,
            'Posterize': self._posterize,
            'Solarize': self._solarize,
            'SolarizeAdd': self._solarize_add,
            'Color': self._color,
            'Contrast': self._contrast,
            'Brightness': self._brightness,
            'Sharpness': self._sharpness,
            'ShearX': partial(self._shear, direction='horizontal'),
            'ShearY': partial(self._shear, direction='vertical'),
            'TranslateX': partial(self._translate, direction='horizontal'),
            'TranslateY': partial(self._translate, direction='vertical'),
        }

    # Each op maps (frames, level in [0, 1]) to frames; random signs and
    # parameters are drawn once per call, i.e. once per clip.
    @staticmethod
    def _auto_contrast(imgs: List[np.ndarray], level: float) -> List:
        return [mmcv.auto_contrast(img) for img in imgs]

    @staticmethod
    def _equalize(imgs: List[np.ndarray], level: float) -> List:
        return [mmcv.imequalize(img) for img in imgs]

    @staticmethod
    def _invert(imgs: List[np.ndarray], level: float) -> List:
        return [mmcv.iminvert(img) for img in imgs]

    def _rotate(self, imgs: List[np.ndarray], level: float) -> List:
        angle = _signed(30.0 * level)
        return [
            mmcv.imrotate(img, angle, border_value=self.fill) for img in imgs
        ]

    def _posterize(self, imgs: List[np.ndarray], level: float) -> List:
        bits = int(4 * level)
        bits = 4 - bits if self.increasing else bits
        return [mmcv.posterize(img, bits) for img in imgs]

    def _solarize(self, imgs: List[np.ndarray], level: float) -> List:
        thresh = int(256 * level)
        thresh = 256 - thresh if self.increasing else thresh
        return [mmcv.solarize(img, thresh) for img in imgs]

    @staticmethod
    def _solarize_add(imgs: List[np.ndarray], level: float) -> List:
        add = int(110 * level)
        return [_solarize_add(img, add) for img in imgs]

    def _enhance_factor(self, level: float) -> float:
        if self.increasing:
            return max(0.1, 1.0 + _signed(0.9 * level))
        return 0.1 + 1.8 * level

    def _color(self, imgs: List[np.ndarray], level: float) -> List:
        factor = self._enhance_factor(level)

        def color(img, alpha):
            return mmcv.adjust_color(img, alpha, backend='cv2')

        return [_rgb_gray_op(color, img, factor) for img in imgs]

    def _contrast(self, imgs: List[np.ndarray], level: float) -> List:
        factor = self._enhance_factor(level)
        return [
            _rgb_gray_op(mmcv.adjust_contrast, img, factor) for img in imgs
        ]

    def _brightness(self, imgs: List[np.ndarray], level: float) -> List:
        factor = self._enhance_factor(level)
        return [mmcv.adjust_brightness(img, factor) for img in imgs]

    def _sharpness(self, imgs: List[np.ndarray], level: float) -> List:
        factor = self._enhance_factor(level)
        return [mmcv.adjust_sharpness(img, factor) for img in imgs]

    def _shear(self, imgs: List, level: float, direction: str) -> List:
        shear = _signed(0.3 * level)
        return [
            mmcv.imshear(img, shear, direction, border_value=self.fill)
            for img in imgs
        ]

    def _translate(self, imgs: List, level: float, direction: str) -> List:
        side = imgs[0].shape[1 if direction == 'horizontal' else 0]
        offset = _signed(0.45 * level * side)
        return [
            mmcv.imtranslate(img, offset, direction, border_value=self.fill)
            for img in imgs
        ]

    def _sample_level(self) -> float:
        """Draw the clip's magnitude, as a fraction of the maximum level."""
        magnitude = self.magnitude
        if self.magnitude_std > 0:
            magnitude = random.gauss(magnitude, self.magnitude_std)
        return min(max(magnitude, 0.0), _MAX_LEVEL) / _MAX_LEVEL

    def policy(self) -> Sequence[str]:
        """Draw the names of the ops for one clip (with replacement)."""
        return random.choices(list(self.ops), k=self.num_layers)

    def transform(self, results: dict) -> dict:
        """Augment ``results['imgs']`` in place of the frame list.

        Args:
            results (dict): Pipeline results with ``imgs``.

        Returns:
            dict: The results with augmented ``imgs``.
        """
        imgs = list(results['imgs'])
        for name in self.policy():
            if random.random() < self.prob:
                imgs = self.ops[name](imgs, self._sample_level())
        results['imgs'] = imgs
        return results

    def __repr__(self) -> str:
        return (
            f'{self.__class__.__name__}(magnitude={self.magnitude}, '
            f'num_layers={self.num_layers}, '
            f'magnitude_std={self.magnitude_std}, '
            f'increasing={self.increasing}, prob={self.prob})'
        )
