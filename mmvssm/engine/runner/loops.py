# Copyright (c) mmvssm contributors. All rights reserved.
"""mmengine's ``ValLoop`` and ``TestLoop`` that leave out unreadable videos.

Registered under the same names in mmvssm's scope, so configs with
``default_scope='mmvssm'`` use them as written. A test sample whose video
cannot be read (marked by :class:`~mmvssm.datasets.VideoDataset`) is
dropped from its batch before the model sees it, so it counts neither as
right nor as wrong; after the loop every skipped sample is listed in the
log and in ``<log_dir>/skipped_<val|test>_samples.txt``.
"""

import logging
import os.path as osp
from typing import List, Optional, Tuple

from mmengine.logging import print_log
from mmengine.runner import TestLoop as _TestLoop
from mmengine.runner import ValLoop as _ValLoop

from mmvssm.datasets.video_dataset import SKIPPED_KEY
from mmvssm.registry import LOOPS

__all__ = ['ValLoop', 'TestLoop', 'drop_skipped']


def drop_skipped(data_batch, skipped: List[Tuple[str, str]]) -> Optional[dict]:
    """Remove the samples that stand for unreadable videos from a batch.

    Args:
        data_batch (dict): A collated batch (``inputs``, ``data_samples``).
        skipped (list): Receives ``(path, reason)`` per removed sample.

    Returns:
        dict | None: The batch without them; None if nothing is left.
    """
    samples = (
        data_batch.get('data_samples')
        if isinstance(data_batch, dict)
        else None
    )
    if not samples:
        return data_batch
    keep = []
    for index, sample in enumerate(samples):
        path = sample.metainfo.get(SKIPPED_KEY)
        if path is None:
            keep.append(index)
        else:
            skipped.append((path, sample.metainfo.get('skip_reason', '')))
    if len(keep) == len(samples):
        return data_batch
    if not keep:
        return None
    return {
        key: [value[i] for i in keep]
        if isinstance(value, list) and len(value) == len(samples)
        else value
        for key, value in data_batch.items()
    }


class _SkipUnreadable:
    """Mixin: drop skipped samples per batch, list them after the loop."""

    kind = ''

    def run(self) -> dict:
        self.skipped: List[Tuple[str, str]] = []
        metrics = super().run()
        if self.skipped:
            self._report()
        return metrics

    def run_iter(self, idx, data_batch) -> None:
        data_batch = drop_skipped(data_batch, self.skipped)
        if data_batch is not None:
            super().run_iter(idx, data_batch)

    def _report(self) -> None:
        total = len(self.dataloader.dataset)
        lines = [f'{path} ({reason})' for path, reason in self.skipped]
        listing = osp.join(self.runner.log_dir, f'skipped_{self.kind}.txt')
        with open(listing, 'w') as f:
            f.write(''.join(line + '\n' for line in lines))
        print_log(
            f'{len(self.skipped)} of {total} {self.kind.replace("_", " ")} '
            f'were skipped (unreadable videos) and are not in the metrics; '
            f'listed in {listing}:\n  ' + '\n  '.join(lines),
            logger='current',
            level=logging.WARNING,
        )


@LOOPS.register_module()
class ValLoop(_SkipUnreadable, _ValLoop):
    """mmengine's ``ValLoop``; unreadable videos are skipped and listed."""

    kind = 'val_samples'


@LOOPS.register_module()
class TestLoop(_SkipUnreadable, _TestLoop):
    """mmengine's ``TestLoop``; unreadable videos are skipped and listed."""

    kind = 'test_samples'
