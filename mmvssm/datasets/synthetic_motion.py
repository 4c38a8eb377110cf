# Copyright (c) mmvssm contributors. All rights reserved.
"""An embedded video dataset that needs temporal modelling.

``SyntheticMotionDataset`` renders its mp4 videos and mmaction2 annotation
files on first use (see :mod:`mmvssm.datasets.motion_render` for the
clips) and then serves them as an ordinary ``VideoDataset``. Layout under
``data_root`` (annotation lines are ``<split>/<class>/<file>.mp4 <label>``;
the parameter file is written last and marks a complete render)::

    synthetic_motion_{split}_list_videos.txt
    synthetic_motion_{split}_params.json
    {split}/{class}/{class}_{index:04d}.mp4
"""

import contextlib
import json
import os
import os.path as osp
import re
import tempfile
from numbers import Integral, Real
from typing import (
    Callable,
    Dict,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import decord
import numpy as np
from mmengine.dist import broadcast_object_list, get_rank
from mmengine.logging import print_log
from tqdm import tqdm

from mmvssm.registry import DATASETS

from .motion_render import (
    SYNTHETIC_MOTION_CLASSES,
    MotionClipSpec,
    render_motion_clip,
    reversal_partner,
    sample_motion_clip,
    write_mp4,
)
from .video_dataset import VideoDataset

__all__ = [
    'SyntheticMotionDataset',
    'synthetic_motion_clips',
    'render_synthetic_motion',
]

SPLITS = ('train', 'val', 'test')
# Bump when the renderer's output changes, so old caches get re-rendered.
RENDER_VERSION = 1
_MIN_SIDE = 32


def _ann_name(split: str) -> str:
    return f'synthetic_motion_{split}_list_videos.txt'


def _params_name(split: str) -> str:
    return f'synthetic_motion_{split}_params.json'


def _check_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f'{name} must be an int, got {value!r}')
    if value < minimum:
        raise ValueError(f'{name} must be >= {minimum}, got {value}')
    return int(value)


def _check_classes(classes: Optional[Sequence[str]]) -> Tuple[str, ...]:
    if classes is None:
        return SYNTHETIC_MOTION_CLASSES
    if isinstance(classes, str) or not all(
        isinstance(c, str) for c in classes
    ):
        raise TypeError(
            f'classes must be a list of class names, got {classes!r}'
        )
    classes = tuple(classes)
    unknown = [c for c in classes if c not in SYNTHETIC_MOTION_CLASSES]
    if unknown:
        raise ValueError(
            f'unknown synthetic motion classes {unknown}; choose from '
            f'{list(SYNTHETIC_MOTION_CLASSES)}'
        )
    if not classes or len(set(classes)) != len(classes):
        raise ValueError(
            f'classes must be a non-empty list without repeats, got '
            f'{list(classes)}'
        )
    unpaired = [c for c in classes if reversal_partner(c) not in classes]
    if unpaired:
        # Without its partner a class is told apart by appearance alone.
        raise ValueError(
            f'classes must come in time-reversal pairs; add '
            f'{[reversal_partner(c) for c in unpaired]}'
        )
    return classes


def _check_resolution(resolution) -> Tuple[int, int]:
    if isinstance(resolution, Integral) and not isinstance(resolution, bool):
        resolution = (resolution, resolution)
    if not (
        isinstance(resolution, Sequence)
        and len(resolution) == 2
        and all(
            isinstance(v, Integral) and not isinstance(v, bool)
            for v in resolution
        )
    ):
        raise TypeError(
            f'resolution must be an int or (height, width), got {resolution!r}'
        )
    if min(resolution) < _MIN_SIDE or resolution[0] % 2 or resolution[1] % 2:
        # mp4v stores colour at half resolution: odd sizes do not encode.
        raise ValueError(
            f'resolution must be even and at least {_MIN_SIDE} pixels per '
            f'side, got {tuple(resolution)}'
        )
    return int(resolution[0]), int(resolution[1])


def _render_params(
    split: str,
    classes: Optional[Sequence[str]],
    num_videos_per_class: int,
    num_frames: int,
    resolution: Union[int, Tuple[int, int]],
    fps: float,
    seed: int,
) -> Dict:
    """Validate the generation arguments; return them as a JSON-able dict."""
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    if isinstance(fps, bool) or not isinstance(fps, Real) or not fps > 0:
        raise ValueError(f'fps must be a positive number, got {fps!r}')
    height, width = _check_resolution(resolution)
    return dict(
        render_version=RENDER_VERSION,
        split=split,
        seed=_check_int('seed', seed, minimum=0),
        classes=list(_check_classes(classes)),
        num_videos_per_class=_check_int(
            'num_videos_per_class', num_videos_per_class
        ),
        num_frames=_check_int('num_frames', num_frames, minimum=2),
        resolution=[height, width],
        fps=float(fps),
        codec='mp4v',
    )


def synthetic_motion_clips(
    params: Dict,
) -> List[Tuple[str, int, MotionClipSpec]]:
    """List the clips of one split.

    Reversal partners are rendered from one draw: video ``i`` of the second
    class of a pair is video ``i`` of the first class played backwards, so
    within a split both classes of a pair have exactly the same frame
    averages (up to video compression).

    Args:
        params (dict): Generation parameters, as validated by the dataset.

    Returns:
        list[tuple[str, int, MotionClipSpec]]: ``(relative path, label,
        spec)`` per video, class by class in the order of
        ``params['classes']``.
    """
    height, width = params['resolution']
    split_id = SPLITS.index(params['split'])
    clips = []
    for label, name in enumerate(params['classes']):
        index = SYNTHETIC_MOTION_CLASSES.index(name)
        first = SYNTHETIC_MOTION_CLASSES[index & ~1]
        for i in range(params['num_videos_per_class']):
            # The pair's draw depends on the pair and index only, never on
            # which classes were selected or how many videos there are.
            rng = np.random.default_rng(
                [params['seed'], split_id, index // 2, i]
            )
            spec = sample_motion_clip(
                first, rng, params['num_frames'], height, width
            )
            if name != first:
                spec = spec.time_reversed()
            path = f'{params["split"]}/{name}/{name}_{i:04d}.mp4'
            clips.append((path, label, spec))
    return clips


@contextlib.contextmanager
def _atomic_output(path: str, suffix: str) -> Iterator[str]:
    """Yield a temp path next to ``path``; rename it to ``path`` on success.

    A killed or failed write leaves at most a hidden temp file, never a
    partial file under the final name.
    """
    fd, tmp = tempfile.mkstemp(
        dir=osp.dirname(path), prefix=f'.{osp.basename(path)}.', suffix=suffix
    )
    os.close(fd)
    try:
        yield tmp
        # mkstemp makes owner-only files; give the usual umask-based mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def _write_text(path: str, text: str) -> None:
    with _atomic_output(path, '.tmp') as tmp, open(tmp, 'w') as f:
        f.write(text)


def _write_video(path: str, frames: np.ndarray, fps: float) -> None:
    # The temp name keeps '.mp4' so that OpenCV picks the mp4 container.
    with _atomic_output(path, '.tmp.mp4') as tmp:
        write_mp4(tmp, frames, fps)
        if osp.getsize(tmp) == 0:
            raise RuntimeError(
                f'OpenCV wrote an empty video to {tmp!r}; install an '
                'opencv-python build with FFmpeg support'
            )


def _check_decodable(path: str, params: Dict) -> None:
    """Fail early, and clearly, when decord cannot read what we wrote."""
    height, width = params['resolution']
    try:
        reader = decord.VideoReader(path)
        shape = reader.get_batch([0, len(reader) - 1]).shape
    except decord.DECORDError:
        shape = None
    if shape != (2, height, width, 3):
        # decord 0.6.0 fails on some widths (16, 24, 48, 72 seen).
        raise RuntimeError(
            f'decord cannot decode the {width}x{height} mp4v video '
            f'{path!r}; choose another resolution, e.g. 64 or (64, 80)'
        )


def _cache_problem(
    data_root: str, params: Dict, paths: Sequence[str]
) -> Optional[str]:
    """Why the rendered split cannot be used as is (None when it can)."""
    params_file = osp.join(data_root, _params_name(params['split']))
    if not osp.isfile(params_file):
        return 'not rendered yet'
    try:
        with open(params_file) as f:
            stored = json.load(f)
    except (OSError, ValueError):
        return f'{params_file} is unreadable'
    if stored != params:
        changed = sorted(
            k
            for k in set(stored) | set(params)
            if stored.get(k) != params.get(k)
        )
        return f'generation parameters changed ({", ".join(changed)})'
    if not osp.isfile(osp.join(data_root, _ann_name(params['split']))):
        return 'annotation file missing'
    missing = sum(not osp.isfile(osp.join(data_root, p)) for p in paths)
    if missing:
        return f'{missing} videos missing'
    return None


def _remove_leftovers(
    data_root: str, params: Dict, paths: Sequence[str]
) -> None:
    """Delete our stale videos and temp files under the split's folders."""
    keep = {osp.normpath(osp.join(data_root, p)) for p in paths}
    split = params['split']
    for file in os.listdir(data_root):
        if re.match(rf'^\.synthetic_motion_{split}_.*\.tmp$', file):
            os.remove(osp.join(data_root, file))
    ours = re.compile(r'^\.?[a-z_]+_\d{4}\.mp4(\..*\.tmp\.mp4)?$')
    for name in SYNTHETIC_MOTION_CLASSES:
        folder = osp.join(data_root, split, name)
        if not osp.isdir(folder):
            continue
        for file in os.listdir(folder):
            path = osp.normpath(osp.join(folder, file))
            if ours.match(file) and path not in keep:
                os.remove(path)


def render_synthetic_motion(
    data_root: str, params: Dict, progress: bool = True
) -> bool:
    """Render one split into ``data_root`` unless a valid render is there.

    Files appear atomically (temp file + rename) and the parameter file is
    written last, so an interrupted render is detected and redone.

    Args:
        data_root (str): Cache folder.
        params (dict): Generation parameters, as validated by the dataset.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        bool: True if videos were rendered, False if the cache was valid.
    """
    clips = synthetic_motion_clips(params)
    paths = [path for path, _, _ in clips]
    problem = _cache_problem(data_root, params, paths)
    if problem is None:
        return False
    split = params['split']
    print_log(
        f'Rendering the synthetic motion {split} split ({problem}): '
        f'{len(clips)} videos into {data_root}',
        logger='current',
    )
    params_file = osp.join(data_root, _params_name(split))
    if osp.exists(params_file):
        os.remove(params_file)  # invalid from here until the render ends
    for name in params['classes']:
        os.makedirs(osp.join(data_root, split, name), exist_ok=True)
    for index, (path, _, spec) in enumerate(
        tqdm(
            clips,
            desc=f'synthetic_motion {split}',
            unit='video',
            disable=not progress,
        )
    ):
        frames = render_motion_clip(spec)
        _write_video(osp.join(data_root, path), frames, params['fps'])
        if index == 0:
            _check_decodable(osp.join(data_root, path), params)
    _remove_leftovers(data_root, params, paths)
    _write_text(
        osp.join(data_root, _ann_name(split)),
        ''.join(f'{path} {label}\n' for path, label, _ in clips),
    )
    _write_text(params_file, json.dumps(params, indent=2) + '\n')
    return True


@DATASETS.register_module()
class SyntheticMotionDataset(VideoDataset):
    """Embedded video dataset whose classes need temporal modelling.

    Each video shows one object moving; the 8 classes are 4 time-reversal
    pairs (moving left / right, up / down, approaching / receding, rotating
    clockwise / counter-clockwise). In every split, video ``i`` of a class
    is video ``i`` of its partner played backwards, and all nuisance
    parameters (shape, colours, texture, noise, position, speed) are drawn
    independently of the direction. So a model that averages frames cannot
    tell a class from its partner: it is at chance (50%) within each pair,
    and at most 50% accurate over the 8 classes.

    When the files of the split are missing under ``data_root``, or were
    rendered with other parameters, they are (re-)rendered there first: by
    rank 0 only under distributed training, while the other ranks wait.
    Same arguments, same pixels. Bad videos and labels are handled as in
    mmvssm's :class:`~mmvssm.datasets.VideoDataset`.

    Args:
        pipeline (list[dict | callable]): mmaction2 transforms, e.g.
            ``DecordInit``, ``UniformSample``, ``DecordDecode``, ...
        data_root (str): Cache folder for the videos and annotation files.
            Defaults to ``'data/synthetic_motion'``.
        split (str): ``'train'``, ``'val'`` or ``'test'``; the splits hold
            different videos. Defaults to ``'train'``.
        classes (Sequence[str], optional): A subset of
            :data:`SYNTHETIC_MOTION_CLASSES`, in label order; it must hold
            both classes of each pair. Defaults to all 8 classes.
        num_videos_per_class (int, optional): Videos per class. Defaults to
            48 for train and 12 for val and test.
        num_frames (int): Frames per video. Defaults to 16.
        resolution (int | tuple[int, int]): Frame size, ``(height, width)``
            or one int for square frames. Defaults to 64.
        fps (float): Frame rate stored in the videos. Defaults to 8.
        seed (int): Seed of the generator. Defaults to 0.
        test_mode (bool): As in ``VideoDataset``; set it for val and test.
            Defaults to False.
        **kwargs: Other ``VideoDataset`` / ``BaseDataset`` arguments, e.g.
            ``lazy_init`` or ``indices``; not ``ann_file`` or
            ``data_prefix``, which this dataset sets itself.
    """

    METAINFO = dict(classes=SYNTHETIC_MOTION_CLASSES)
    DEFAULT_VIDEOS_PER_CLASS = dict(train=48, val=12, test=12)

    def __init__(
        self,
        pipeline: List[Union[dict, Callable]],
        data_root: str = 'data/synthetic_motion',
        split: str = 'train',
        classes: Optional[Sequence[str]] = None,
        num_videos_per_class: Optional[int] = None,
        num_frames: int = 16,
        resolution: Union[int, Tuple[int, int]] = 64,
        fps: float = 8,
        seed: int = 0,
        test_mode: bool = False,
        **kwargs,
    ) -> None:
        for key in ('ann_file', 'data_prefix'):
            if key in kwargs:
                raise ValueError(
                    f'SyntheticMotionDataset sets {key} itself; remove it '
                    'and use data_root / split instead'
                )
        if not isinstance(data_root, str) or not data_root:
            raise ValueError(
                f'data_root must be a folder path, got {data_root!r}'
            )
        if num_videos_per_class is None and split in SPLITS:
            num_videos_per_class = self.DEFAULT_VIDEOS_PER_CLASS[split]
        self.split = split
        self.render_params = _render_params(
            split,
            classes,
            num_videos_per_class,
            num_frames,
            resolution,
            fps,
            seed,
        )
        metainfo = dict(classes=tuple(self.render_params['classes']))
        given = kwargs.pop('metainfo', None) or {}
        if (
            'classes' in given
            and tuple(given['classes']) != (metainfo['classes'])
        ):
            raise ValueError(
                'metainfo["classes"] must match the classes argument; '
                'pass the class names as classes=...'
            )
        self._render_on_rank0(data_root)
        super().__init__(
            ann_file=_ann_name(split),
            pipeline=pipeline,
            data_root=data_root,
            data_prefix=dict(video=''),
            test_mode=test_mode,
            metainfo={**given, **metainfo},
            **kwargs,
        )

    def _render_on_rank0(self, data_root: str) -> None:
        """Render on rank 0; the others wait and share its outcome."""
        rank = get_rank()
        status = [None]
        if rank == 0:
            try:
                render_synthetic_motion(data_root, self.render_params)
            except Exception as exc:
                status = [f'{type(exc).__name__}: {exc}']
                # Tell the waiting ranks before failing here too.
                broadcast_object_list(status)
                raise
        # A no-op without torch.distributed; else every rank waits here.
        broadcast_object_list(status)
        if status[0] is not None:
            raise RuntimeError(
                f'rank 0 failed to render the synthetic motion dataset: '
                f'{status[0]}'
            )
        if rank == 0:
            return
        paths = [p for p, _, _ in synthetic_motion_clips(self.render_params)]
        problem = _cache_problem(data_root, self.render_params, paths)
        if problem is not None:
            raise RuntimeError(
                f'rank {rank} cannot use the synthetic motion videos in '
                f'{data_root!r} ({problem}); on several machines put '
                'data_root on a shared file system'
            )
