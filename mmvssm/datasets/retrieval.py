# Copyright (c) mmvssm contributors. All rights reserved.
"""Video-caption datasets for video-text retrieval.

:class:`VideoCaptionDataset` reads the JSON annotation layout that MSR-VTT,
DiDeMo, ActivityNet Captions, LSMDC and MSVD retrieval splits are commonly
distributed in: a list of ``{"video": <path>, "caption": <str or list of
str>}`` records (DiDeMo / ActivityNet paragraphs: the sentences joined, or
one string). Every (video, caption) pair is one sample; the pairs of one
video share its ``video_id``, which :class:`~mmvssm.evaluation.RetrievalMetric`
uses to rank each caption against every video and each video against
every caption.

:class:`SyntheticCaptionDataset` is the embedded synthetic motion set with
captions of our own (several phrasings a class), for CPU runs.
"""

import json
import os.path as osp
from typing import Dict, List, Optional

from mmvssm.registry import DATASETS

from .synthetic_motion import SyntheticMotionDataset
from .video_dataset import AnnotationError, VideoDataset

__all__ = [
    'SYNTHETIC_CAPTIONS',
    'SyntheticCaptionDataset',
    'VideoCaptionDataset',
]

#: Our captions for the synthetic motion classes (a few phrasings each).
SYNTHETIC_CAPTIONS: Dict[str, List[str]] = {
    'moving_left': [
        'an object slides to the left',
        'a shape moves leftwards across the frame',
        'something travels from right to left',
    ],
    'moving_right': [
        'an object slides to the right',
        'a shape moves rightwards across the frame',
        'something travels from left to right',
    ],
    'moving_up': [
        'an object rises upwards',
        'a shape moves up the frame',
        'something travels from the bottom to the top',
    ],
    'moving_down': [
        'an object falls downwards',
        'a shape moves down the frame',
        'something travels from the top to the bottom',
    ],
    'approaching': [
        'an object comes closer and grows',
        'a shape approaches the camera',
        'something gets bigger as it nears',
    ],
    'receding': [
        'an object moves away and shrinks',
        'a shape recedes from the camera',
        'something gets smaller as it leaves',
    ],
    'rotating_clockwise': [
        'an object spins clockwise',
        'a shape turns to the right in place',
        'something rotates in the clockwise direction',
    ],
    'rotating_counterclockwise': [
        'an object spins counterclockwise',
        'a shape turns to the left in place',
        'something rotates in the counterclockwise direction',
    ],
}


@DATASETS.register_module()
class VideoCaptionDataset(VideoDataset):
    """Video-caption pairs from a JSON annotation file.

    Args:
        ann_file (str): JSON list of ``{"video": path, "caption": str |
            list[str]}`` (``"videos"``/``"captions"``/``"text"`` are
            accepted as alternatives).
        pipeline (list[dict | callable]): Transforms; pack with
            ``PackActionInputs(meta_keys=('caption', 'video_id'))``.
        first_caption_only (bool): Keep one caption per video (e.g. the
            MSR-VTT 1k-A test protocol with one sentence). Defaults to
            False.
        **kwargs: Other :class:`~mmvssm.datasets.VideoDataset` arguments
            (``data_prefix=dict(video=...)``, ``test_mode``, ...).
    """

    def __init__(
        self,
        ann_file: str,
        pipeline: List,
        first_caption_only: bool = False,
        **kwargs,
    ) -> None:
        self.first_caption_only = bool(first_caption_only)
        kwargs.setdefault('allow_unlabeled', True)
        super().__init__(ann_file, pipeline, **kwargs)

    def _error(self, problem: str) -> None:
        raise AnnotationError(
            f'{self.ann_file}: {problem}; expected a JSON list of '
            '{"video": <path>, "caption": <text or list of texts>}'
        )

    def load_data_list(self) -> List[dict]:
        """Parse and validate the JSON file: one entry per caption.

        Returns:
            list[dict]: ``filename``, ``caption``, ``video_id``, ``label``
            (-1) per (video, caption) pair.
        """
        if not osp.exists(self.ann_file):
            raise AnnotationError(
                f'annotation file {self.ann_file!r} does not exist; check '
                'ann_file (and data_root) in the dataset config'
            )
        try:
            with open(self.ann_file, encoding='utf-8') as f:
                records = json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            self._error(f'not valid JSON ({err})')
        if not isinstance(records, list) or not records:
            self._error('no records')
        data_list = []
        prefix = self.data_prefix.get('video')
        for number, rec in enumerate(records):
            if not isinstance(rec, dict):
                self._error(f'record {number} is not an object')
            video = rec.get('video', rec.get('videos'))
            caption = rec.get('caption', rec.get('captions', rec.get('text')))
            if not isinstance(video, str) or not video:
                self._error(f'record {number} has no "video" path')
            captions = [caption] if isinstance(caption, str) else caption
            if (
                not isinstance(captions, list)
                or not captions
                or not all(isinstance(c, str) and c.strip() for c in captions)
            ):
                self._error(f'record {number} ({video}) has no caption text')
            if self.first_caption_only:
                captions = captions[:1]
            filename = osp.join(prefix, video) if prefix else video
            for text in captions:
                data_list.append(
                    dict(
                        filename=filename,
                        caption=text.strip(),
                        video_id=number,
                        label=-1,
                    )
                )
        return data_list


@DATASETS.register_module()
class SyntheticCaptionDataset(SyntheticMotionDataset):
    """The synthetic motion set as video-caption pairs.

    Every video gets one caption, a phrasing of its class from
    :data:`SYNTHETIC_CAPTIONS` (cycling through the phrasings by video
    index), and its own ``video_id``. Class labels are kept.

    Args:
        captions (dict, optional): Class name -> list of captions.
            Defaults to :data:`SYNTHETIC_CAPTIONS`.
        **kwargs: :class:`SyntheticMotionDataset` arguments.
    """

    def __init__(
        self, *args, captions: Optional[Dict[str, List[str]]] = None, **kwargs
    ) -> None:
        self.captions = dict(captions or SYNTHETIC_CAPTIONS)
        super().__init__(*args, **kwargs)

    def load_data_list(self) -> List[dict]:
        classes = self.metainfo['classes']
        missing = [c for c in classes if not self.captions.get(c)]
        if missing:
            raise ValueError(f'no captions for the classes {missing}')
        data_list = super().load_data_list()
        seen: Dict[int, int] = {}
        for index, info in enumerate(data_list):
            options = self.captions[classes[info['label']]]
            k = seen.get(info['label'], 0)
            seen[info['label']] = k + 1
            info['caption'] = options[k % len(options)]
            info['video_id'] = index
        return data_list
