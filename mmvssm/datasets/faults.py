# Copyright (c) mmvssm contributors. All rights reserved.
"""Broken video files, for fault-injection tests and the soak script.

:func:`make_faulty_video_set` renders real synthetic-motion mp4s (the
project's own renderer, written by OpenCV, read by decord) and puts broken
files of the kinds a large download really contains next to them, with one
mmaction2 annotation file that lists both.
"""

import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np

__all__ = ['BROKEN_KINDS', 'write_broken_video', 'make_faulty_video_set']

#: Kinds of broken file :func:`write_broken_video` writes.
BROKEN_KINDS = ('zero_byte', 'truncated', 'garbage', 'missing')


def write_broken_video(
    path: str, kind: str, source: str, seed: int = 0
) -> None:
    """Write one broken video file.

    Args:
        path (str): File to write (for ``'missing'``: ensure it is absent).
        kind (str): ``'zero_byte'`` (empty file), ``'truncated'`` (the
            first half of ``source``: the mp4 index is lost),
            ``'garbage'`` (random bytes) or ``'missing'`` (no file).
        source (str): A good mp4 to truncate.
        seed (int): Seed of the garbage bytes. Defaults to 0.
    """
    if kind not in BROKEN_KINDS:
        raise ValueError(f'kind must be one of {BROKEN_KINDS}, got {kind!r}')
    if kind == 'missing':
        if osp.exists(path):
            os.remove(path)
        return
    if kind == 'zero_byte':
        data = b''
    elif kind == 'truncated':
        with open(source, 'rb') as f:
            data = f.read()
        data = data[: len(data) // 2]
    else:
        size = max(osp.getsize(source), 1024)
        data = np.random.default_rng(seed).bytes(size)
    with open(path, 'wb') as f:
        f.write(data)


def make_faulty_video_set(
    root: str,
    num_videos_per_class: int,
    bad_kinds: Sequence[str],
    num_frames: int = 8,
    resolution: int = 32,
    seed: int = 0,
    ann_name: str = 'faulty_list_videos.txt',
) -> Tuple[str, List[str], Dict]:
    """Real synthetic-motion videos plus broken ones, in one annotation file.

    Args:
        root (str): Folder for everything.
        num_videos_per_class (int): Good videos per class (8 classes).
        bad_kinds (Sequence[str]): One broken file per entry, of that kind.
        num_frames (int): Frames per good video. Defaults to 8.
        resolution (int): Frame side in pixels. Defaults to 32.
        seed (int): Seed of the renderer. Defaults to 0.
        ann_name (str): Name of the annotation file in ``root``.

    Returns:
        tuple: The annotation file, the broken files' paths as the dataset
        names them (``root``-joined), and the render parameters.
    """
    from .synthetic_motion import (
        _ann_name,
        _render_params,
        render_synthetic_motion,
    )

    params = _render_params(
        'train', None, num_videos_per_class, num_frames, resolution, 8, seed
    )
    render_synthetic_motion(root, params, progress=False)
    with open(osp.join(root, _ann_name('train'))) as f:
        good = [line.split() for line in f if line.strip()]
    os.makedirs(osp.join(root, 'broken'), exist_ok=True)
    lines = [f'{p} {label}' for p, label in good]
    bad = []
    for i, kind in enumerate(bad_kinds):
        rel = f'broken/{kind}_{i:04d}.mp4'
        source_rel, label = good[i % len(good)]
        write_broken_video(
            osp.join(root, rel), kind, osp.join(root, source_rel), seed=i
        )
        # Spread the broken ones through the list.
        lines.insert((i * 7919) % (len(lines) + 1), f'{rel} {label}')
        bad.append(osp.join(root, rel))
    ann_file = osp.join(root, ann_name)
    with open(ann_file, 'w') as f:
        f.write(''.join(line + '\n' for line in lines))
    return ann_file, bad, params
