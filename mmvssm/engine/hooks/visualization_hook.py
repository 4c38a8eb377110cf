# Copyright (c) mmvssm contributors. All rights reserved.
"""``tools/test.py --show-dir``: annotated clips of the test predictions."""

import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np
from mmengine.hooks import Hook

from mmvssm.registry import HOOKS

__all__ = ['VideoVisualizationHook']


@HOOKS.register_module()
class VideoVisualizationHook(Hook):
    """Write each ``interval``-th test clip with its prediction drawn on it.

    mmaction2's ``VisualizationHook`` draws images; this one takes the
    clips the model saw (the packed ``NCTHW`` or ``NTCHW`` inputs, first
    view, before normalisation) and writes ``OUT_DIR/<index>.gif`` (or
    ``.mp4``) with the predicted class, its score and the true class. The
    options are those ``tools/test.py`` sets: ``enable``, ``interval``,
    ``out_dir``, ``show`` and ``wait_time``.

    Args:
        enable (bool): Whether to draw anything. Defaults to False.
        interval (int): Every how many samples one is drawn. Defaults to 1.
        out_dir (str, optional): Where to write; defaults to
            ``<work_dir>/<timestamp>/vis`` when enabled. Defaults to None.
        show (bool): Windows are not supported; True is an error.
            Defaults to False.
        wait_time (float): Unused (mmaction2's option). Defaults to 0.
        out_type (str): 'gif' or 'mp4'. Defaults to 'gif'.
        fps (float): Frame rate of the written clips. Defaults to 4.
    """

    def __init__(
        self,
        enable: bool = False,
        interval: int = 1,
        out_dir: Optional[str] = None,
        show: bool = False,
        wait_time: float = 0,
        out_type: str = 'gif',
        fps: float = 4,
    ):
        if show:
            raise ValueError(
                '--show opens windows, which mmvssm does not do; write the '
                'clips with --show-dir DIR instead'
            )
        if out_type not in ('gif', 'mp4'):
            raise ValueError(
                f"out_type must be 'gif' or 'mp4', not {out_type!r}"
            )
        self.enable = enable
        self.interval = max(int(interval), 1)
        self.out_dir = out_dir
        self.out_type = out_type
        self.fps = fps
        self._count = 0

    def before_test(self, runner) -> None:
        if self.enable and self.out_dir is None:
            self.out_dir = osp.join(runner.log_dir, 'vis')
        if self.enable:
            os.makedirs(self.out_dir, exist_ok=True)

    @staticmethod
    def _frames(inputs) -> np.ndarray:
        """``(T, H, W, 3)`` uint8 RGB frames of the first view."""
        clip = inputs[0].detach().cpu().float()
        if clip.ndim != 4:
            raise ValueError(f'expected (C, T, H, W) clips, got {clip.shape}')
        if clip.shape[0] != 3 and clip.shape[1] == 3:  # NTCHW
            clip = clip.permute(1, 0, 2, 3)
        frames = clip.permute(1, 2, 3, 0).clamp(0, 255).byte().numpy()
        return np.ascontiguousarray(frames)

    def after_test_iter(
        self, runner, batch_idx: int, data_batch: dict, outputs: Sequence
    ) -> None:
        if not self.enable:
            return
        from mmvssm.visualization import draw_prediction, write_video

        classes = runner.test_dataloader.dataset.metainfo.get('classes')

        def name(label) -> str:
            index = int(label)
            return classes[index] if classes else str(index)

        for inputs, sample in zip(data_batch['inputs'], outputs):
            index = self._count
            self._count += 1
            if index % self.interval:
                continue
            score = sample.pred_score
            label = int(score.argmax())
            text = f'{name(label)} {float(score[label]):.2f}'
            if 'gt_label' in sample:
                text += f' (true: {name(sample.gt_label.reshape(-1)[0])})'
            frames = draw_prediction(self._frames(inputs), text)
            path = osp.join(self.out_dir, f'{index:06d}.{self.out_type}')
            write_video(path, frames, self.fps)
