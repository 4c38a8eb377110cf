# Copyright (c) mmvssm contributors. All rights reserved.
"""Find unreadable videos before a run.

``python tools/misc/check_dataset.py CONFIG [--split train val] [--out F]``

Builds the config's datasets (which validates their annotation files) and
opens, samples and decodes every video with the config's own pipeline, in
parallel, with a progress bar. Lists each bad file with the reason, writes
them to ``--out`` if given (``<path><TAB><reason>`` per line) and exits with
status 1 when any is bad.
"""

import argparse
import multiprocessing
import os
import sys

from mmengine.config import DictAction
from tqdm import tqdm

import mmvssm  # noqa: F401  (registries and stack fixes first)
from mmvssm.utils import launch

_DATASET = None  # the dataset being checked, shared with forked workers


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Check that every video of a config decodes'
    )
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--split',
        nargs='+',
        choices=['train', 'val', 'test'],
        default=['train', 'val', 'test'],
        help='which dataloaders to check (duplicates are checked once)',
    )
    parser.add_argument(
        '--workers',
        type=int,
        default=max(1, (os.cpu_count() or 2) - 1),
        help='processes that decode in parallel',
    )
    parser.add_argument('--out', help='write the bad files to this file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as in tools/train.py',
    )
    return parser.parse_args(argv)


def _problem(index: int):
    return index, _DATASET.video_problem(index)


def check(dataset, workers: int, desc: str) -> list:
    """``(path, reason)`` of every bad video of a dataset, in index order.

    Args:
        dataset: An mmvssm ``VideoDataset`` (or subclass).
        workers (int): Parallel processes (1: in this process).
        desc (str): Progress bar label.

    Returns:
        list[tuple[str, str]]: The bad videos.
    """
    global _DATASET
    _DATASET = dataset
    indices = range(len(dataset))
    if workers > 1:
        pool = multiprocessing.get_context('fork').Pool(workers)
        results = pool.imap_unordered(_problem, indices, chunksize=8)
    else:
        pool, results = None, map(_problem, indices)
    try:
        found = [
            (index, problem)
            for index, problem in tqdm(
                results, total=len(dataset), desc=desc, unit='video'
            )
            if problem is not None
        ]
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return [
        (dataset.get_data_info(index).get('filename', str(index)), problem)
        for index, problem in sorted(found)
    ]


def build_dataset(cfg, split: str):
    from mmengine.registry import DefaultScope

    from mmvssm.registry import DATASETS

    loader = cfg.get(f'{split}_dataloader')
    if not loader or loader.get('dataset') is None:
        return None
    with DefaultScope.overwrite_default_scope(
        cfg.get('default_scope', 'mmvssm')
    ):
        dataset = DATASETS.build(loader['dataset'])
    if not hasattr(dataset, 'video_problem'):
        raise launch.ToolError(
            f'{split} dataset {type(dataset).__name__} has no video check; '
            f"use mmvssm's VideoDataset (default_scope='mmvssm')"
        )
    return dataset


def main(argv=None) -> int:
    from mmvssm.datasets import DataError

    args = parse_args(argv)
    cfg = launch.load_config(args.config, 'none', 0)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    bad, seen = [], set()
    for split in args.split:
        try:
            dataset = build_dataset(cfg, split)
        except DataError as exc:
            raise launch.ToolError(str(exc)) from None
        if dataset is None:
            continue
        key = (type(dataset).__name__, dataset.ann_file)
        if key in seen:
            continue
        seen.add(key)
        found = check(dataset, args.workers, split)
        print(
            f'{split}: {len(found)} of {len(dataset)} videos unreadable '
            f'({dataset.ann_file})'
        )
        bad += found
    for path, reason in bad:
        print(f'  {path}: {reason}')
    if args.out:
        with open(args.out, 'w') as f:
            f.write(''.join(f'{p}\t{r}\n' for p, r in bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
