# Copyright (c) mmvssm contributors. All rights reserved.
"""Report bad videos; check labels and clip shapes against the model.

mmvssm's :class:`~mmvssm.datasets.VideoDataset` replaces an unreadable
training video inside the DataLoader worker and records ``(path, reason)``
on the sample that stands in for it. This hook, in the main process, reads
those records from each batch: it reports every bad file once (per run,
across workers, ranks and resumes), logs a count at the end of each epoch,
and stops the run with a one-line error when more than the dataset's
``max_bad_ratio`` of its videos turn out bad. It also checks the labels of
each dataset against the model head's ``num_classes`` and attaches
:func:`~mmvssm.utils.input_checks.attach_input_check` to the backbone
(clip length vs tubelet, frame size vs ``img_size``).
"""

import logging
from typing import Iterator, List, Optional, Set, Tuple

from mmengine.dist import all_gather_object, is_distributed
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmvssm.registry import HOOKS

__all__ = ['DataCheckHook', 'iter_datasets']

_CHECKPOINT_KEY = 'data_check'


def iter_datasets(dataset) -> Iterator:
    """The dataset and every dataset it wraps (Repeat, Concat, ...)."""
    yield dataset
    inner = getattr(dataset, 'dataset', None)
    if inner is not None and inner is not dataset:
        yield from iter_datasets(inner)
    for inner in getattr(dataset, 'datasets', None) or ():
        yield from iter_datasets(inner)


def _model(runner):
    model = runner.model
    return model.module if is_model_wrapper(model) else model


def _attach_input_check(runner) -> None:
    from mmvssm.utils.input_checks import attach_input_check

    backbone = getattr(_model(runner), 'backbone', None)
    if backbone is not None:
        attach_input_check(backbone)


def _head_num_classes(runner) -> Optional[int]:
    head = getattr(_model(runner), 'cls_head', None)
    num_classes = getattr(head, 'num_classes', None)
    return num_classes if isinstance(num_classes, int) else None


def check_labels(runner, dataset) -> None:
    """Raise when a label of any (wrapped) dataset exceeds the head.

    Args:
        runner (Runner): The runner (for its model).
        dataset: A dataset, possibly wrapping others.
    """
    num_classes = _head_num_classes(runner)
    if num_classes is None:
        return
    for inner in iter_datasets(dataset):
        check = getattr(inner, 'check_num_classes', None)
        if check is not None:
            check(num_classes)


@HOOKS.register_module()
class DataCheckHook(Hook):
    """Bad-video reports and label checks.

    Args:
        max_listed (int): How many newly found bad files the end-of-epoch
            line names (all are reported when first found). Defaults to 10.
    """

    priority = 'LOW'

    def __init__(self, max_listed: int = 10) -> None:
        self.max_listed = max_listed
        self.bad: Set[str] = set()  # every bad file seen in the run
        self._new: List[Tuple[str, str]] = []  # first seen this epoch
        self._epoch_count = 0  # replacements this epoch (this rank)

    # -- labels ---------------------------------------------------------

    def before_train(self, runner) -> None:
        check_labels(runner, runner.train_dataloader.dataset)
        _attach_input_check(runner)

    def before_val(self, runner) -> None:
        check_labels(runner, runner.val_loop.dataloader.dataset)
        _attach_input_check(runner)

    def before_test(self, runner) -> None:
        check_labels(runner, runner.test_loop.dataloader.dataset)
        _attach_input_check(runner)

    # -- bad videos -------------------------------------------------------

    def after_train_iter(
        self, runner, batch_idx: int, data_batch=None, outputs=None
    ) -> None:
        samples = (
            data_batch.get('data_samples')
            if isinstance(data_batch, dict)
            else None
        )
        for sample in samples or ():
            for path, reason in sample.metainfo.get('replaced_videos', ()):
                self._epoch_count += 1
                if path in self.bad:
                    continue
                self.bad.add(path)
                self._new.append((path, reason))
                print_log(
                    f'bad video skipped (a random other sample replaces '
                    f'it): {path} ({reason})',
                    logger='current',
                    level=logging.WARNING,
                )
                self._check_ratio(runner)

    def _check_ratio(self, runner) -> None:
        dataset = runner.train_dataloader.dataset
        ratio = getattr(dataset, 'max_bad_ratio', None)
        if ratio is None or not len(dataset):
            return
        if len(self.bad) > ratio * len(dataset):
            from mmvssm.datasets import BadVideoError

            raise BadVideoError(
                f'{len(self.bad)} of {len(dataset)} training videos are '
                f'unreadable, more than max_bad_ratio={ratio:g} allows '
                f'(e.g. {sorted(self.bad)[0]}); find them all with '
                f'tools/misc/check_dataset.py and fix the data'
            )

    def after_train_epoch(self, runner) -> None:
        count, new = self._epoch_count, self._new
        if is_distributed():
            gathered = all_gather_object((count, new))
            count = sum(c for c, _ in gathered)
            merged = {}
            for _, items in gathered:
                merged.update(dict(items))
            new = sorted(merged.items())
            self.bad.update(merged)
        self._epoch_count, self._new = 0, []
        if not count:
            return
        names = ', '.join(p for p, _ in new[: self.max_listed])
        more = len(new) - self.max_listed
        names += f' and {more} more' if more > 0 else ''
        print_log(
            f'Epoch {runner.epoch + 1}: {count} samples replaced because '
            f'their video is unreadable; {len(new)} new bad files'
            f'{": " + names if new else ""} ({len(self.bad)} in the run)',
            logger='current',
            level=logging.WARNING,
        )

    # -- resume: the set of known bad files survives it ---------------------

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[_CHECKPOINT_KEY] = dict(bad_videos=sorted(self.bad))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get(_CHECKPOINT_KEY) or {}
        self.bad.update(str(p) for p in state.get('bad_videos', ()))
