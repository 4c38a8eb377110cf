# Copyright (c) mmvssm contributors. All rights reserved.
"""Long-video recognition datasets: Breakfast, COIN, LVU (paper §4.5).

All three read mmaction2 video lists (``<path> <label>`` a line, written by
``tools/data/prepare_annotations.py breakfast|coin|lvu``) through mmvssm's
validating :class:`~mmvssm.datasets.VideoDataset`; they fix the class count
so a list whose labels do not fit is refused at load with its line. Long
clips are sampled by the pipeline (``UniformSample(clip_len=32 or 64)``
over videos of thousands of frames).
"""

from mmvssm.registry import DATASETS

from .video_dataset import VideoDataset

__all__ = [
    'BREAKFAST_CLASSES',
    'BreakfastDataset',
    'COINDataset',
    'LVU_TASKS',
    'LVUDataset',
]

#: The 10 Breakfast activities, in the converter's label order.
BREAKFAST_CLASSES = (
    'cereals',
    'coffee',
    'friedegg',
    'juice',
    'milk',
    'pancake',
    'salat',
    'sandwich',
    'scrambledegg',
    'tea',
)

#: LVU classification tasks and their class counts (like / view are
#: regression tasks and not covered here).
LVU_TASKS = dict(
    relationship=4,
    speaking=5,
    scene=6,
    director=10,
    genre=4,
    writer=10,
    year=9,
)


@DATASETS.register_module()
class BreakfastDataset(VideoDataset):
    """Breakfast (10 cooking activities, 1,712 videos, minutes long)."""

    METAINFO = dict(classes=BREAKFAST_CLASSES)


@DATASETS.register_module()
class COINDataset(VideoDataset):
    """COIN (180 procedural tasks, 11,827 videos); labels = recipe types.

    Args:
        num_classes (int): Defaults to 180.
        **kwargs: :class:`~mmvssm.datasets.VideoDataset` arguments.
    """

    def __init__(self, *args, num_classes: int = 180, **kwargs) -> None:
        super().__init__(*args, num_classes=num_classes, **kwargs)


@DATASETS.register_module()
class LVUDataset(VideoDataset):
    """One LVU classification task (movie clips of 1-3 minutes).

    Args:
        task (str): One of :data:`LVU_TASKS`. Defaults to 'relationship'.
        **kwargs: :class:`~mmvssm.datasets.VideoDataset` arguments.
    """

    def __init__(self, *args, task: str = 'relationship', **kwargs) -> None:
        if task not in LVU_TASKS:
            raise ValueError(
                f'LVU task {task!r} is not a classification task; choose '
                f'from {sorted(LVU_TASKS)}'
            )
        self.task = task
        super().__init__(*args, num_classes=LVU_TASKS[task], **kwargs)
