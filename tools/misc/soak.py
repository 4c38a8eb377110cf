# Copyright (c) mmvssm contributors. All rights reserved.
"""Soak test of bad-video handling with the real tools.

``python tools/misc/soak.py [--num-good 1000] [--num-bad 100] [--work-dir W]``

Renders ``num-good`` real synthetic-motion mp4s and mixes ``num-bad`` broken
ones (zero-byte, truncated, garbage bytes, missing; in turn) into one
annotation file, then runs, as a user would:

1. ``tools/misc/check_dataset.py``: must list exactly the broken files;
2. ``tools/train.py`` (a very small VideoMamba, 2 DataLoader workers): must
   complete, report each broken file exactly once and count at least
   ``num-bad`` replaced samples per epoch;
3. ``tools/test.py`` on the same list: must skip exactly the broken files,
   list them, and compute the metrics on the others.

Prints the figures and exits with status 1 if any check fails.
"""

import argparse
import glob
import os
import os.path as osp
import re
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MINI = osp.join(
    REPO,
    'configs/videomamba/'
    'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py',
)

CONFIG = """
_base_ = [{base!r}]
model = dict(
    backbone=dict(arch=dict(_delete_=True, embed_dims=32, num_layers=1),
                  img_size=32, patch_size=16),
    cls_head=dict(in_channels=32))
_data = dict(type='VideoDataset', ann_file={ann!r},
             data_prefix=dict(video={root!r}), max_bad_ratio=0.2)
train_pipeline = [
    dict(t, scale=(32, 32)) if t.type == 'Resize'
    and t.get('keep_ratio') is False
    else dict(t, scale=(-1, 32)) if t.type == 'Resize' else t
    for t in _base_.train_pipeline]
test_pipeline = [
    dict(t, scale=(-1, 32)) if t.type == 'Resize'
    else dict(t, crop_size=32) if t.type == 'CenterCrop' else t
    for t in _base_.val_pipeline]
train_dataloader = dict(
    batch_size=16, num_workers={workers}, persistent_workers=False,
    dataset=dict(_delete_=True, pipeline=train_pipeline, **_data))
test_dataloader = dict(
    batch_size=16, num_workers={workers}, persistent_workers=False,
    dataset=dict(_delete_=True, pipeline=test_pipeline, test_mode=True,
                 **_data))
val_dataloader = None
val_cfg = None
val_evaluator = None
max_epochs = {epochs}
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True)]
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=1, save_best=None))
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--num-good', type=int, default=1000)
    parser.add_argument('--num-bad', type=int, default=100)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--work-dir', default='work_dirs/soak')
    return parser.parse_args(argv)


def run(args, log_path):
    started = time.time()
    with open(log_path, 'w') as log:
        result = subprocess.run(
            [sys.executable, *args],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, 'PYTHONUNBUFFERED': '1'},
        )
    with open(log_path, errors='replace') as f:
        return result.returncode, f.read(), time.time() - started


def main(argv=None) -> int:
    from mmvssm.datasets import BROKEN_KINDS, make_faulty_video_set

    args = parse_args(argv)
    work_dir = osp.abspath(args.work_dir)
    root = osp.join(work_dir, 'data')
    os.makedirs(work_dir, exist_ok=True)
    per_class = max(1, args.num_good // 8)
    kinds = [BROKEN_KINDS[i % len(BROKEN_KINDS)] for i in range(args.num_bad)]
    started = time.time()
    ann, bad, _ = make_faulty_video_set(root, per_class, kinds)
    num_good = per_class * 8
    print(
        f'data: {num_good} good + {len(bad)} broken videos in '
        f'{time.time() - started:.0f} s ({ann})'
    )
    config = osp.join(work_dir, 'soak_config.py')
    with open(config, 'w') as f:
        f.write(
            CONFIG.format(
                base=MINI,
                ann=ann,
                root=root,
                workers=args.workers,
                epochs=args.epochs,
            )
        )
    failures = []

    def expect(ok, what):
        print(('ok   ' if ok else 'FAIL ') + what)
        if not ok:
            failures.append(what)

    bad_list = osp.join(work_dir, 'bad_videos.txt')
    rc, log, secs = run(
        [
            'tools/misc/check_dataset.py',
            config,
            '--split',
            'train',
            '--out',
            bad_list,
        ],
        osp.join(work_dir, 'check_dataset.log'),
    )
    found = (
        [line.split('\t')[0] for line in open(bad_list)]
        if osp.isfile(bad_list)
        else []
    )
    expect(
        rc == 1 and sorted(found) == sorted(bad),
        f'check_dataset: {len(found)} bad of {num_good + len(bad)} listed '
        f'(expected {len(bad)}), exit {rc}, {secs:.0f} s',
    )

    train_dir = osp.join(work_dir, 'train')
    rc, log, secs = run(
        ['tools/train.py', config, '--work-dir', train_dir],
        osp.join(work_dir, 'train.log'),
    )
    reported = re.findall(r'bad video skipped .*?: (\S+) \(\w+', log)
    per_epoch = [
        int(n) for n in re.findall(r'Epoch \d+: (\d+) samples replaced', log)
    ]
    expect(rc == 0, f'train: exit {rc} after {secs:.0f} s')
    expect(
        sorted(reported) == sorted(bad),
        f'train: {len(reported)} bad files reported, '
        f'{len(set(reported))} distinct (expected each of {len(bad)} once)',
    )
    expect(
        len(per_epoch) == args.epochs
        and all(n >= len(bad) for n in per_epoch),
        f'train: replaced samples per epoch {per_epoch} (>= {len(bad)} each)',
    )

    checkpoint = osp.join(train_dir, f'epoch_{args.epochs}.pth')
    rc, log, secs = run(
        ['tools/test.py', config, checkpoint, '--work-dir', train_dir],
        osp.join(work_dir, 'test.log'),
    )
    skipped = re.search(r'(\d+) of (\d+) test samples were skipped', log)
    top1 = re.search(r'acc/top1: ([0-9.]+)', log)
    listings = glob.glob(osp.join(train_dir, '*', 'skipped_test_samples.txt'))
    listed = (
        [line.split(' (')[0] for line in open(max(listings))]
        if listings
        else []
    )
    expect(
        rc == 0 and top1 is not None,
        f'test: exit {rc} after {secs:.0f} s, acc/top1 '
        f'{top1.group(1) if top1 else None} on the readable videos',
    )
    expect(
        skipped is not None
        and int(skipped.group(1)) == len(bad)
        and sorted(listed) == sorted(bad),
        f'test: {skipped.group(0) if skipped else "no skip line"}; '
        f'{len(listed)} listed',
    )
    print('soak: ' + ('PASSED' if not failures else f'FAILED {failures}'))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.path.insert(0, REPO)
    sys.exit(main())
