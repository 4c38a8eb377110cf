# Copyright (c) mmvssm contributors. All rights reserved.
"""Turn a dataset's official annotation files into mmaction2 video lists.

The lists are what the configs read (``<path relative to the video folder>
<label>`` a line; see ``tools/data/README.md``)::

    python tools/data/prepare_annotations.py kinetics400 \\
        --ann-dir data/kinetics400/annotations \\
        --video-dir data/kinetics400/videos_train \\
        --out-dir data/kinetics400 --check-videos

Datasets and the official files they read from ``--ann-dir``:

* ``kinetics400`` / ``kinetics600``: ``train.csv``, ``validate.csv``
  (``label,youtube_id,time_start,time_end,split``); labels in the order of
  the class-name lists shipped in mmvssm (mmaction2's label maps).
* ``sthv2``: ``something-something-v2-labels.json``,
  ``something-something-v2-{train,validation}.json``; videos ``<id>.webm``.
* ``ucf101``: ``classInd.txt``, ``trainlist0{1,2,3}.txt``,
  ``testlist0{1,2,3}.txt``.
* ``hmdb51``: ``<class>_test_split{1,2,3}.txt`` (1 train, 2 test); labels in
  sorted class order.
* ``breakfast``: no annotation file: the videos themselves
  (``P03_cam01_P03_cereals.avi``; give the video folder as ``--ann-dir``
  too); the activity is the last ``_`` field, labels in the order of
  ``mmvssm.datasets.BREAKFAST_CLASSES``; split s1 (test persons P03-P15,
  train P16-P54).
* ``coin``: ``COIN.json`` (``database.<youtube id>.{recipe_type, subset}``);
  label = ``recipe_type``.
* ``lvu``: ``<task>/{train,val,test}.csv`` for the classification tasks
  (a header line, then space-separated rows whose first field is the label
  and second the YouTube id = video file stem).

Videos are found by file name anywhere under ``--video-dir`` (one scan).
Missing videos are left out of the lists and written to
``<out-dir>/<list name>.missing.txt``; with ``--check-videos`` every listed
video is opened with decord (in parallel) and unreadable ones are left out
and listed in ``.unreadable.txt``. A report is printed for each list.
"""

import argparse
import csv
import json
import os
import os.path as osp
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

VIDEO_EXTENSIONS = ('.mp4', '.webm', '.avi', '.mkv', '.mov')

# A list: (name of the output file, [(video file stem, label), ...]).
Entries = List[Tuple[str, int]]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Official annotations -> mmaction2 video lists'
    )
    parser.add_argument(
        'dataset',
        choices=[
            'kinetics400',
            'kinetics600',
            'sthv2',
            'ucf101',
            'hmdb51',
            'breakfast',
            'coin',
            'lvu',
        ],
    )
    parser.add_argument(
        '--ann-dir', required=True, help='folder of the official files'
    )
    parser.add_argument(
        '--video-dir', required=True, help='folder holding the videos'
    )
    parser.add_argument('--out-dir', required=True, help='where lists go')
    parser.add_argument(
        '--check-videos',
        action='store_true',
        help='open every video with decord and leave out unreadable ones',
    )
    parser.add_argument(
        '--workers', type=int, default=4, help='threads for --check-videos'
    )
    return parser.parse_args(argv)


class AnnotationError(ValueError):
    """An official annotation file is missing or malformed (one line)."""


def _need(path: str) -> str:
    if not osp.isfile(path):
        raise AnnotationError(
            f'{path} does not exist; download the official annotation '
            f'files of the dataset into --ann-dir (tools/data/README.md)'
        )
    return path


def _lines(path: str) -> Iterator[Tuple[int, str]]:
    with open(_need(path), encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield number, line.strip()


def kinetics(ann_dir: str, dataset: str) -> List[Tuple[str, Entries]]:
    splits = [('train', 'train.csv'), ('val', 'validate.csv')]
    rows = {}
    for split, name in splits:
        path = _need(osp.join(ann_dir, name))
        with open(path, newline='', encoding='utf-8') as f:
            reader = csv.DictReader(f)
            need = {'label', 'youtube_id', 'time_start', 'time_end'}
            if not need <= set(reader.fieldnames or ()):
                raise AnnotationError(
                    f'{path}: expected the columns {sorted(need)}, found '
                    f'{reader.fieldnames}'
                )
            rows[split] = list(reader)
    from mmvssm.models.text.text_branch import load_class_names

    classes = load_class_names(dataset)  # mmaction2's label order
    index = {name: i for i, name in enumerate(classes)}
    lists = []
    for split, name in splits:
        entries = []
        for number, row in enumerate(rows[split], 2):
            label = row['label']
            if label not in index:
                raise AnnotationError(
                    f'{osp.join(ann_dir, name)}:{number}: class {label!r} is '
                    f'not one of the {len(classes)} {dataset} classes'
                )
            stem = '{}_{:06d}_{:06d}'.format(
                row['youtube_id'], int(row['time_start']), int(row['time_end'])
            )
            entries.append((stem, index[label]))
        lists.append((f'{dataset}_{split}_list_videos.txt', entries))
    return lists


def sthv2(ann_dir: str, dataset: str) -> List[Tuple[str, Entries]]:
    with open(
        _need(osp.join(ann_dir, 'something-something-v2-labels.json'))
    ) as f:
        labels = {name: int(i) for name, i in json.load(f).items()}
    lists = []
    for split, name in [('train', 'train'), ('val', 'validation')]:
        path = _need(osp.join(ann_dir, f'something-something-v2-{name}.json'))
        with open(path, encoding='utf-8') as f:
            items = json.load(f)
        entries = []
        for position, item in enumerate(items):
            template = (
                item.get('template', '').replace('[', '').replace(']', '')
            )
            if template not in labels:
                raise AnnotationError(
                    f'{path}: item {position} (id {item.get("id")}) has the '
                    f'template {template!r}, which the labels file lacks'
                )
            entries.append((str(item['id']), labels[template]))
        lists.append((f'sthv2_{split}_list_videos.txt', entries))
    return lists


def ucf101(ann_dir: str, dataset: str) -> List[Tuple[str, Entries]]:
    classes = {}
    for _, line in _lines(osp.join(ann_dir, 'classInd.txt')):
        index, name = line.split()
        classes[name] = int(index) - 1
    lists = []
    for split_id in (1, 2, 3):
        for split, name in [('train', 'trainlist'), ('val', 'testlist')]:
            path = osp.join(ann_dir, f'{name}0{split_id}.txt')
            entries = []
            for number, line in _lines(path):
                video = line.split()[0]
                folder = video.split('/')[0]
                if folder not in classes:
                    raise AnnotationError(
                        f'{path}:{number}: {folder!r} is not in classInd.txt'
                    )
                stem = osp.splitext(osp.basename(video))[0]
                entries.append((stem, classes[folder]))
            lists.append(
                (f'ucf101_{split}_split_{split_id}_videos.txt', entries)
            )
    return lists


def hmdb51(ann_dir: str, dataset: str) -> List[Tuple[str, Entries]]:
    suffix = '_test_split1.txt'
    names = sorted(
        f[: -len(suffix)] for f in os.listdir(ann_dir) if f.endswith(suffix)
    )
    if not names:
        raise AnnotationError(
            f'{ann_dir} holds no <class>_test_split1.txt files; unpack '
            f"HMDB51's test_train_splits there"
        )
    lists = []
    for split_id in (1, 2, 3):
        chosen = {'1': [], '2': []}
        for label, name in enumerate(names):
            path = osp.join(ann_dir, f'{name}_test_split{split_id}.txt')
            for number, line in _lines(path):
                parts = line.split()
                if len(parts) != 2 or parts[1] not in '012':
                    raise AnnotationError(
                        f'{path}:{number}: expected "<video> 0|1|2", got '
                        f'{line!r}'
                    )
                if parts[1] in chosen:
                    stem = osp.splitext(parts[0])[0]
                    chosen[parts[1]].append((stem, label))
        for split, key in [('train', '1'), ('val', '2')]:
            lists.append(
                (f'hmdb51_{split}_split_{split_id}_videos.txt', chosen[key])
            )
    return lists


def breakfast(ann_dir: str, dataset: str) -> List[Tuple[str, Entries]]:
    from mmvssm.datasets.long_video import BREAKFAST_CLASSES

    index = {name: i for i, name in enumerate(BREAKFAST_CLASSES)}
    split = dict(train=[], test=[])
    for root, _, files in os.walk(ann_dir):
        for name in sorted(files):
            stem, ext = osp.splitext(name)
            if ext.lower() not in VIDEO_EXTENSIONS:
                continue
            fields = stem.split('_')
            activity, person = fields[-1], fields[0]
            if activity not in index or not person[1:].isdigit():
                raise AnnotationError(
                    f'{osp.join(root, name)}: not a Breakfast video name '
                    '(expected P<person>_<camera>_..._<activity>, activity '
                    f'one of {list(BREAKFAST_CLASSES)})'
                )
            part = 'test' if 3 <= int(person[1:]) <= 15 else 'train'
            split[part].append((stem, index[activity]))
    if not split['train'] and not split['test']:
        raise AnnotationError(f'{ann_dir}: no Breakfast videos found')
    return [
        ('breakfast_train_split_1_videos.txt', split['train']),
        ('breakfast_test_split_1_videos.txt', split['test']),
    ]


def coin(ann_dir: str, dataset: str) -> List[Tuple[str, Entries]]:
    path = _need(osp.join(ann_dir, 'COIN.json'))
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    if not isinstance(data, dict) or not isinstance(
        data.get('database'), dict
    ):
        raise AnnotationError(f'{path}: expected {{"database": {{...}}}}')
    split = dict(training=[], testing=[])
    for vid, info in data['database'].items():
        try:
            label, subset = int(info['recipe_type']), info['subset']
        except (KeyError, TypeError, ValueError):
            raise AnnotationError(
                f'{path}: video {vid!r} lacks an integer recipe_type or a '
                'subset'
            ) from None
        if subset in split and 0 <= label < 180:
            split[subset].append((vid, label))
        else:
            raise AnnotationError(
                f'{path}: video {vid!r} has subset {subset!r} / recipe_type '
                f'{label} (expected training|testing and 0..179)'
            )
    return [
        ('coin_train_list_videos.txt', split['training']),
        ('coin_test_list_videos.txt', split['testing']),
    ]


def lvu(ann_dir: str, dataset: str) -> List[Tuple[str, Entries]]:
    from mmvssm.datasets.long_video import LVU_TASKS

    lists = []
    for task, num_classes in LVU_TASKS.items():
        folder = osp.join(ann_dir, task)
        if not osp.isdir(folder):
            continue
        for split in ('train', 'val', 'test'):
            path = osp.join(folder, f'{split}.csv')
            entries = []
            for number, line in _lines(path):
                if number == 1:
                    continue  # header
                fields = line.split()
                try:
                    label = int(fields[0])
                    vid = fields[1]
                except (IndexError, ValueError):
                    raise AnnotationError(
                        f'{path}:{number}: expected "<label> <youtube id> '
                        f'...", got {line!r}'
                    ) from None
                if not 0 <= label < num_classes:
                    raise AnnotationError(
                        f'{path}:{number}: label {label} outside '
                        f'[0, {num_classes}) for the {task} task'
                    )
                entries.append((vid, label))
            lists.append((f'lvu_{task}_{split}_list_videos.txt', entries))
    if not lists:
        raise AnnotationError(
            f'{ann_dir}: no LVU task folder ({sorted(LVU_TASKS)})'
        )
    return lists


PARSERS = dict(
    kinetics400=kinetics,
    kinetics600=kinetics,
    sthv2=sthv2,
    ucf101=ucf101,
    hmdb51=hmdb51,
    breakfast=breakfast,
    coin=coin,
    lvu=lvu,
)


def index_videos(video_dir: str) -> Dict[str, str]:
    """Video file stem -> path relative to ``video_dir`` (one scan)."""
    from tqdm import tqdm

    found = {}
    with tqdm(desc=f'scanning {video_dir}', unit=' files') as bar:
        for root, _, files in os.walk(video_dir):
            for name in files:
                stem, ext = osp.splitext(name)
                if ext.lower() in VIDEO_EXTENSIONS:
                    found.setdefault(
                        stem, osp.relpath(osp.join(root, name), video_dir)
                    )
                bar.update()
    return found


def readable(path: str) -> Optional[str]:
    """None if decord can read the video's first frame, else why not."""
    import decord

    try:
        if osp.getsize(path) == 0:
            return 'empty file'
        reader = decord.VideoReader(path, num_threads=1)
        if len(reader) == 0:
            return 'no frames'
        reader[0]
        return None
    except Exception as err:  # decord raises its own DECORDError
        lines = str(err).strip().splitlines() or [type(err).__name__]
        return lines[0][:200]


def write_lists(
    lists: Sequence[Tuple[str, Entries]],
    videos: Dict[str, str],
    args: argparse.Namespace,
) -> List[str]:
    from tqdm import tqdm

    os.makedirs(args.out_dir, exist_ok=True)
    report = []
    for name, entries in lists:
        present = [(videos[s], label) for s, label in entries if s in videos]
        missing = [s for s, _ in entries if s not in videos]
        bad = []
        if args.check_videos and present:
            paths = [osp.join(args.video_dir, p) for p, _ in present]
            with ThreadPoolExecutor(max(args.workers, 1)) as pool:
                reasons = list(
                    tqdm(
                        pool.map(readable, paths),
                        total=len(paths),
                        desc=f'checking {name}',
                    )
                )
            bad = [
                f'{p} {why}' for (p, _), why in zip(present, reasons) if why
            ]
            present = [e for e, why in zip(present, reasons) if not why]
        out = osp.join(args.out_dir, name)
        with open(out, 'w', encoding='utf-8') as f:
            f.writelines(f'{path} {label}\n' for path, label in present)
        for kind, items in (('missing', missing), ('unreadable', bad)):
            side = f'{out[: -len(".txt")]}.{kind}.txt'
            if items:
                with open(side, 'w', encoding='utf-8') as f:
                    f.writelines(f'{item}\n' for item in items)
            elif osp.exists(side):
                os.remove(side)
        line = f'{out}: {len(present)} videos'
        if missing:
            line += f', {len(missing)} missing'
        if bad:
            line += f', {len(bad)} unreadable'
        report.append(line)
    return report


def main(argv=None) -> int:
    args = parse_args(argv)
    for name in ('ann_dir', 'video_dir'):
        if not osp.isdir(getattr(args, name)):
            sys.exit(
                f'error: --{name.replace("_", "-")} {getattr(args, name)!r} '
                f'is not a folder'
            )
    try:
        lists = PARSERS[args.dataset](args.ann_dir, args.dataset)
    except (AnnotationError, OSError, json.JSONDecodeError, KeyError) as err:
        sys.exit(f'error: {err}')
    videos = index_videos(args.video_dir)
    for line in write_lists(lists, videos, args):
        print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
