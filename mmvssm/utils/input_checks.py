# Copyright (c) mmvssm contributors. All rights reserved.
"""Check the clips a backbone gets against the shape it was built for.

A VideoMamba built for ``num_frames`` frames of ``img_size`` pixels in
tubelets of ``tubelet_size`` frames silently drops the last frames of a clip
whose length is not a multiple of the tubelet, and re-interpolates its
position embeddings on every forward when the frames have another size.
:func:`check_video_input` turns the first into an error and the second into
a warning, both naming the fix; :func:`attach_input_check` runs it on the
first forward of every backbone that has these attributes (mmvssm's
``DataCheckHook`` attaches it at the start of training and testing).
"""

import logging
from typing import Sequence

from mmengine.logging import print_log

__all__ = ['InputShapeError', 'check_video_input', 'attach_input_check']


class InputShapeError(ValueError):
    """Clips that do not fit the backbone: one actionable line."""


def _pair(value) -> tuple:
    return tuple(value) if isinstance(value, Sequence) else (value, value)


def check_video_input(backbone, shape: Sequence[int]) -> None:
    """Raise or warn when a clip does not fit the backbone.

    Args:
        backbone (nn.Module): Has ``tubelet_size``, ``img_size`` and
            ``patch_size`` (and ``num_frames``).
        shape (Sequence[int]): The input's ``(B, C, T, H, W)``.

    Raises:
        InputShapeError: The frame count is not a multiple of the tubelet, or
            the frame size not a multiple of the patch.
    """
    if len(shape) != 5:
        return
    name = type(backbone).__name__
    frames, height, width = shape[2:]
    tubelet = getattr(backbone, 'tubelet_size', 1)
    if frames % tubelet:
        raise InputShapeError(
            f'clips of {frames} frames do not fit {name}(tubelet_size='
            f'{tubelet}): the last {frames % tubelet} frames of each clip '
            f"would be dropped; set the pipeline's clip_len to a multiple "
            f'of {tubelet} (e.g. {getattr(backbone, "num_frames", tubelet)})'
        )
    patch = _pair(getattr(backbone, 'patch_size', 1))
    if height % patch[0] or width % patch[1]:
        raise InputShapeError(
            f'{height}x{width} frames do not fit {name}(patch_size='
            f'{patch[0]}): the border pixels would be dropped; resize or '
            f'crop the frames to a multiple of {patch[0]} in the pipeline'
        )
    expected = _pair(getattr(backbone, 'img_size', (height, width)))
    if (height, width) != tuple(expected):
        print_log(
            f'{name} was built for {expected[0]}x{expected[1]} frames but '
            f'gets {height}x{width}: its position embeddings are '
            f're-interpolated on every forward (slower, and unlike '
            f"training); set the backbone's img_size to {height} or "
            f'resize/crop the frames to {expected[0]} in the pipeline',
            logger='current',
            level=logging.WARNING,
        )
    num_frames = getattr(backbone, 'num_frames', frames)
    if frames != num_frames:
        print_log(
            f'{name} was built for {num_frames} frames but gets clips of '
            f'{frames}: its temporal position embeddings are re-interpolated '
            f'on every forward; set num_frames or clip_len so they match',
            logger='current',
            level=logging.WARNING,
        )


def attach_input_check(backbone) -> bool:
    """Check the first input of ``backbone`` (once per input shape).

    Args:
        backbone (nn.Module): The model's backbone.

    Returns:
        bool: Whether the backbone is one that can be checked.
    """
    if not all(
        hasattr(backbone, name) for name in ('tubelet_size', 'img_size')
    ):
        return False
    if getattr(backbone, '_mmvssm_input_check', None) is not None:
        return True
    seen = set()

    def pre_hook(module, args):
        if args and hasattr(args[0], 'shape'):
            shape = tuple(args[0].shape)
            if shape[1:] not in seen:
                seen.add(shape[1:])
                check_video_input(module, shape)

    backbone._mmvssm_input_check = backbone.register_forward_pre_hook(pre_hook)
    return True
