# Copyright (c) mmvssm contributors. All rights reserved.
"""mmaction2's ``VideoDataset`` with checked annotations and bad videos.

Registered as ``VideoDataset`` in mmvssm's scope, so every config with
``default_scope='mmvssm'`` (and :class:`SyntheticMotionDataset`, a subclass)
gets it without naming it; from an mmaction2 config write
``type='mmvssm.VideoDataset'``.

* **Annotations** are validated when the dataset is built: every line must
  parse as ``<path> <label>`` (or ``<path> <label> <label> ...`` for
  ``multi_class``) with labels in ``[0, num_classes)``. A bad line raises
  :class:`AnnotationError` naming the file, the line number and the line.
* **Bad videos** (missing, zero-byte, truncated, not a video) are found
  where the pipeline reads them: the transforms up to the last ``*Decode``
  one. In training the sample is replaced by a random other one (as
  mmengine's ``max_refetch`` does) and the returned sample carries the
  path and the reason in ``data_samples.metainfo['replaced_videos']``,
  which :class:`~mmvssm.engine.hooks.DataCheckHook` reports once per file and
  counts per epoch. In testing the sample is marked ``skipped_video`` and
  mmvssm's ``ValLoop`` / ``TestLoop`` leave it out of the metrics and list
  it. With ``strict_videos=True`` a bad video raises :class:`BadVideoError`
  at once. Decoded clips are checked too (frame count and shapes), so no
  broken clip reaches the model.
* **Seeds**: given a :class:`~mmvssm.datasets.SeededIndex` (mmvssm's
  ``DefaultSampler`` yields them), a sample is read and augmented under its
  own seed and the caller's random state is put back, so augmentation does
  not depend on DataLoader workers (exact resume with workers). Dataset
  wrappers (``RepeatDataset``, ``ConcatDataset``) pass plain indices on.
"""

import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from mmaction.datasets import VideoDataset as _MMActionVideoDataset
from mmengine.fileio import exists, list_from_file

from mmvssm.registry import DATASETS

from .seeded_sampler import seeded_by

__all__ = [
    'VideoDataset',
    'DataError',
    'AnnotationError',
    'BadVideoError',
    'reading_stage_length',
]

#: Key of the metainfo entry that lists the videos a training sample
#: replaced: a list of ``(path, reason)``.
REPLACED_KEY = 'replaced_videos'
#: Key of the metainfo entry of a test sample whose video is unreadable.
SKIPPED_KEY = 'skipped_video'


class DataError(RuntimeError):
    """Bad input data: its message is one actionable line."""


class AnnotationError(DataError):
    """A line of an annotation file cannot be used."""


class BadVideoError(DataError):
    """A video cannot be read (strict mode) or too many cannot."""


def _type_name(transform) -> str:
    return type(transform).__name__


def reading_stage_length(transforms: Sequence[Callable]) -> int:
    """How many leading transforms read the video file.

    They are those up to and including the last transform whose class name
    ends with ``Decode`` (``DecordDecode``, ``PyAVDecode``,
    ``OpenCVDecode``, ``RawFrameDecode``, ...): opening, frame sampling and
    decoding. An error there is the file's fault; an error later is the
    pipeline's. Without such a transform the whole pipeline counts.

    Args:
        transforms (Sequence[Callable]): The pipeline's transforms.

    Returns:
        int: The number of reading transforms.
    """
    last = None
    for index, transform in enumerate(transforms):
        if _type_name(transform).endswith('Decode'):
            last = index
    return len(transforms) if last is None else last + 1


def _one_line(exc: BaseException) -> str:
    text = ' '.join(str(exc).split())
    if len(text) > 200:
        text = text[:197] + '...'
    return f'{type(exc).__name__}: {text}' if text else type(exc).__name__


def _check_clip(results: Dict) -> Optional[str]:
    """Why a decoded clip is broken (None when it is fine)."""
    imgs = results.get('imgs')
    if imgs is None:
        return None  # not a frame pipeline (audio, pose): nothing to check
    inds = results.get('frame_inds')
    if len(imgs) == 0:
        return 'no frames decoded'
    if inds is not None and len(imgs) != len(inds):
        return f'{len(imgs)} frames decoded of {len(inds)} asked for'
    shapes = {getattr(img, 'shape', None) for img in imgs}
    if len(shapes) != 1 or None in shapes or 0 in next(iter(shapes)):
        return f'frames of unequal or empty shapes {sorted(map(str, shapes))}'
    return None


@DATASETS.register_module()
class VideoDataset(_MMActionVideoDataset):
    """``VideoDataset`` that validates its annotations and skips bad videos.

    Args:
        ann_file (str): Annotation file: one ``<path> <label>`` per line.
        pipeline (list[dict | callable]): Transforms.
        strict_videos (bool): Raise :class:`BadVideoError` at the first bad
            video instead of replacing (training) or skipping (testing) it.
            Defaults to False.
        max_refetch (int): Training: how many replacements in a row may
            fail before :class:`BadVideoError` is raised. Defaults to 16.
        max_bad_ratio (float): Fraction of distinct bad videos above which
            :class:`~mmvssm.engine.hooks.DataCheckHook` stops the run.
            Defaults to 0.1.
        allow_unlabeled (bool): Accept lines without a label (label -1),
            for inference-only lists. Defaults to False.
        **kwargs: Other ``mmaction.datasets.VideoDataset`` arguments.
    """

    def __init__(
        self,
        ann_file: str,
        pipeline: List[Union[dict, Callable]],
        strict_videos: bool = False,
        max_refetch: int = 16,
        max_bad_ratio: float = 0.1,
        allow_unlabeled: bool = False,
        **kwargs,
    ) -> None:
        if not 0.0 <= max_bad_ratio <= 1.0:
            raise ValueError(
                f'max_bad_ratio must be in [0, 1], got {max_bad_ratio}'
            )
        self.strict_videos = bool(strict_videos)
        self.max_bad_ratio = float(max_bad_ratio)
        self.allow_unlabeled = bool(allow_unlabeled)
        #: ``(label, line number, line)`` of the largest label.
        self.max_label: Optional[Tuple[int, int, str]] = None
        super().__init__(ann_file, pipeline, max_refetch=max_refetch, **kwargs)

    # -- annotations ------------------------------------------------------

    def _known_num_classes(self) -> Optional[int]:
        if self.num_classes is not None:
            return int(self.num_classes)
        classes = (self._metainfo or {}).get('classes')
        return len(classes) if classes else None

    def load_data_list(self) -> List[dict]:
        """Parse and validate the annotation file.

        Returns:
            list[dict]: ``dict(filename=..., label=...)`` per line.

        Raises:
            AnnotationError: A line does not parse, or a label is out of
                range; the message names the file, line and content.
        """
        if not exists(self.ann_file):
            raise AnnotationError(
                f'annotation file {self.ann_file!r} does not exist; check '
                f'ann_file (and data_root) in the dataset config, or write '
                f'the lists with tools/data/prepare_annotations.py (see '
                f'tools/data/README.md)'
            )
        num_classes = self._known_num_classes()
        data_list = []
        for number, line in enumerate(list_from_file(self.ann_file), 1):
            if not line.strip():
                continue
            filename, label = self._parse_line(line, number, num_classes)
            if self.data_prefix['video'] is not None:
                filename = osp.join(self.data_prefix['video'], filename)
            data_list.append(dict(filename=filename, label=label))
        if not data_list:
            raise AnnotationError(
                f'annotation file {self.ann_file!r} lists no videos; write '
                f'one "<path> <label>" per line'
            )
        return data_list

    def _line_error(self, number: int, line: str, problem: str) -> None:
        raise AnnotationError(
            f'{self.ann_file}:{number}: {problem} in {line.strip()!r}; fix '
            f'or remove the line'
        )

    def _parse_line(
        self, line: str, number: int, num_classes: Optional[int]
    ) -> Tuple[str, Union[int, List[int]]]:
        fields = line.strip().split(self.delimiter)
        if len(fields) == 1:
            if not self.allow_unlabeled:
                self._line_error(
                    number,
                    line,
                    'no label (expected "<path> <label>"; for an '
                    'inference-only list set allow_unlabeled=True)',
                )
            return fields[0], -1
        if not self.multi_class and len(fields) != 2:
            self._line_error(
                number,
                line,
                f'{len(fields)} fields, expected "<path> <label>" (a path '
                f'with spaces needs another delimiter)',
            )
        try:
            labels = [int(v) for v in fields[1:]]
        except ValueError:
            self._line_error(number, line, 'a label that is not an integer')
        for label in labels:
            if label < 0 or (num_classes is not None and label >= num_classes):
                limit = '' if num_classes is None else f', {num_classes}'
                self._line_error(
                    number, line, f'label {label} outside [0{limit})'
                )
            if self.max_label is None or label > self.max_label[0]:
                self.max_label = (label, number, line.strip())
        return fields[0], labels if self.multi_class else labels[0]

    def check_num_classes(self, num_classes: int) -> None:
        """Raise when a label does not fit a classifier of this size.

        Args:
            num_classes (int): The number of outputs of the model's head.

        Raises:
            AnnotationError: Naming the file, line and label.
        """
        if self.max_label is not None and self.max_label[0] >= num_classes:
            label, number, line = self.max_label
            raise AnnotationError(
                f'{self.ann_file}:{number}: label {label} in {line!r} does '
                f'not fit the model head (num_classes={num_classes}); fix '
                f"the annotation file or the head's num_classes"
            )

    # -- videos -------------------------------------------------------------

    def video_problem(self, idx: int) -> Optional[str]:
        """Run the reading transforms of one sample; why it fails, if so.

        Args:
            idx (int): Sample index.

        Returns:
            str | None: ``'<ErrorType>: <message>'``, or None if readable.
        """
        results = self.get_data_info(idx)
        transforms = self.pipeline.transforms
        problem, _ = self._read(results, transforms)
        return problem

    def _read(self, results: Dict, transforms: Sequence[Callable]):
        """Apply the reading transforms; return (problem, results)."""
        for transform in transforms[: reading_stage_length(transforms)]:
            try:
                results = transform(results)
            except Exception as exc:  # decoders raise many error types
                return _one_line(exc), None
            if results is None:
                return None, None  # transform asked for another sample
        return _check_clip(results), results

    def _fail(self, path: str, reason: str) -> None:
        raise BadVideoError(
            f'unreadable video {path} ({reason}); repair or re-download '
            f'it, or remove its line from {self.ann_file} (or set '
            f'strict_videos=False to skip bad videos)'
        )

    def prepare_data(self, idx: int):
        """Read and transform one sample.

        Returns:
            dict | None | tuple: The sample; None when a transform asks for
            another one; ``(path, reason)`` when the video is unreadable.
        """
        results = self.get_data_info(idx)
        path = results.get('filename', f'sample {idx}')
        transforms = self.pipeline.transforms
        start = reading_stage_length(transforms)
        problem, results = self._read(results, transforms)
        if problem is not None:
            if self.strict_videos:
                self._fail(path, problem)
            return path, problem
        if results is None:
            return None
        for transform in transforms[start:]:
            try:
                results = transform(results)
            except Exception as exc:
                raise DataError(
                    f'{_type_name(transform)} failed on {path} '
                    f"({_one_line(exc)}); check that transform's settings "
                    f'in the pipeline'
                ) from exc
            if results is None:
                return None
        return results

    def __getitem__(self, idx: int) -> dict:
        # A SeededIndex (mmvssm's DefaultSampler) fixes the sample's random
        # augmentation whichever worker loads it (datasets/seeded_sampler.py).
        with seeded_by(idx):
            return self._get_item(idx)

    def _get_item(self, idx: int) -> dict:
        if not self._fully_initialized:
            self.full_init()
        if self.test_mode:
            data = self.prepare_data(idx)
            if isinstance(data, tuple):
                return _skipped_sample(*data)
            if data is None:
                raise DataError(
                    f'the test pipeline returned no sample for '
                    f'{self.get_data_info(idx).get("filename", idx)}; test '
                    f'pipelines must not drop samples'
                )
            return data
        replaced = []
        for _ in range(self.max_refetch + 1):
            data = self.prepare_data(idx)
            if isinstance(data, tuple):
                replaced.append(data)
            elif data is not None:
                return _mark_replaced(data, replaced)
            idx = self._rand_another()
        last = f'; the last: {replaced[-1][0]} ({replaced[-1][1]})'
        raise BadVideoError(
            f'{self.max_refetch + 1} samples in a row could not be read '
            f'from {self.ann_file}{last if replaced else ""}; check the '
            f'videos with tools/misc/check_dataset.py'
        )


def _mark_replaced(data, replaced: List[Tuple[str, str]]):
    """Attach the replaced videos to a training sample's data sample."""
    if isinstance(data, dict) and hasattr(
        data.get('data_samples'), 'set_metainfo'
    ):
        data['data_samples'].set_metainfo({REPLACED_KEY: list(replaced)})
    return data


def _skipped_sample(path: str, reason: str) -> dict:
    """A test sample that stands for an unreadable video.

    mmvssm's ``ValLoop`` / ``TestLoop`` drop it before the model and list it;
    its ``inputs`` is an empty tensor (never a zero-filled clip).
    """
    import torch
    from mmaction.structures import ActionDataSample

    sample = ActionDataSample()
    sample.set_metainfo({SKIPPED_KEY: path, 'skip_reason': reason})
    return dict(inputs=torch.empty(0), data_samples=sample)
