# Copyright (c) mmvssm contributors. All rights reserved.
"""Extract backbone features of every video of a dataset, one array each.

Example::

    python tools/misc/extract_features.py CONFIG CHECKPOINT --out-dir feats
    python tools/misc/extract_features.py CONFIG CHECKPOINT --out-dir feats \\
        --mode long --stride 8

* ``clip`` (default): the config's test pipeline (its clips and crops), the
  backbone's output pooled to one ``(C,)`` vector per video, averaged over
  the views.
* ``long``: the whole video in consecutive windows of the model's
  ``clip_len`` frames (every ``--stride`` frames), one ``(num_windows, C)``
  array per video, for long-video models on top of frozen features.

Each video's array is saved as ``OUT_DIR/<video path with / as __>.npy``;
``OUT_DIR/features.txt`` lists ``file label shape`` per video. Works for any
dataset class of the config (``--split train|val|test``), the synthetic set
included.
"""

import argparse
import os
import os.path as osp
import sys

import numpy as np
from mmengine.config import Config, DictAction

import mmvssm  # noqa: F401  (registries and stack fixes first)

SAMPLERS = ('SampleFrames', 'UniformSample', 'DenseSampleFrames')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Extract backbone features of every video of a dataset'
    )
    parser.add_argument('config', help='the config of the model and data')
    parser.add_argument('checkpoint', help='the checkpoint of the model')
    parser.add_argument('--out-dir', required=True, help='where arrays go')
    parser.add_argument(
        '--split', choices=['train', 'val', 'test'], default='test'
    )
    parser.add_argument('--mode', choices=['clip', 'long'], default='clip')
    parser.add_argument(
        '--stride',
        type=int,
        default=None,
        help='long mode: frames between window starts (default clip_len)',
    )
    parser.add_argument(
        '--batch-size', type=int, default=8, help='long mode: windows a step'
    )
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs',
    )
    return parser.parse_args(argv)


class SlidingWindows:
    """Sample consecutive windows of ``clip_len`` frames over a whole video.

    Stands in for the pipeline's frame sampler in ``long`` mode: it sets
    ``frame_inds`` (all windows, in order), ``clip_len``, ``num_clips`` and
    ``frame_interval`` as mmaction2's samplers do.

    Args:
        clip_len (int): Frames a window.
        stride (int): Frames between window starts.
    """

    def __init__(self, clip_len: int, stride: int):
        self.clip_len = clip_len
        self.stride = stride

    def __call__(self, results: dict) -> dict:
        total = results['total_frames']
        starts = list(range(0, max(total - self.clip_len, 0) + 1, self.stride))
        inds = [
            min(s + i, total - 1) for s in starts for i in range(self.clip_len)
        ]
        results.update(
            frame_inds=np.array(inds, dtype=np.int64),
            clip_len=self.clip_len,
            num_clips=len(starts),
            frame_interval=1,
        )
        return results


def pooled(features) -> np.ndarray:
    """``(N, C, ...)`` backbone output pooled to ``(N, C)``."""
    if isinstance(features, (tuple, list)):
        features = features[-1]
    while features.ndim > 2:
        features = features.mean(-1)
    return features.detach().float().cpu().numpy()


def build_dataset(cfg, split: str, mode: str, stride):
    """The split's dataset; in long mode with the sampler replaced."""
    from mmengine.dataset import Compose

    from mmvssm.registry import DATASETS

    dataset_cfg = cfg[f'{split}_dataloader'].dataset
    pipeline = list(dataset_cfg.pipeline)
    dataset = DATASETS.build(dataset_cfg)
    if mode == 'long':
        index = next(
            (i for i, t in enumerate(pipeline) if t['type'] in SAMPLERS), None
        )
        if index is None:
            raise ValueError(
                f'the {split} pipeline has no frame sampler ({SAMPLERS}) to '
                f'replace with sliding windows'
            )
        clip_len = pipeline[index].get('clip_len', 1)
        pipeline[index] = SlidingWindows(clip_len, stride or clip_len)
        dataset.pipeline = Compose(pipeline)
    return dataset


def main(argv=None) -> int:
    args = parse_args(argv)
    for name in ('config', 'checkpoint'):
        if not osp.isfile(getattr(args, name)):
            sys.exit(f'error: {name} {getattr(args, name)!r} does not exist')
    if args.stride is not None and args.stride < 1:
        sys.exit('error: --stride must be at least 1')
    import torch
    from tqdm import tqdm

    from mmvssm.apis import init_recognizer
    from mmvssm.utils.checkpoint import CheckpointError

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    try:
        model = init_recognizer(cfg, args.checkpoint, args.device)
        dataset = build_dataset(model.cfg, args.split, args.mode, args.stride)
    except (CheckpointError, ValueError) as err:
        sys.exit(f'error: {err}')
    os.makedirs(args.out_dir, exist_ok=True)
    index_lines = []
    with torch.no_grad():
        for i in tqdm(range(len(dataset)), desc='videos'):
            info = dataset.get_data_info(i)
            sample = dataset[i]
            data = model.data_preprocessor(
                dict(
                    inputs=[sample['inputs']],
                    data_samples=[sample['data_samples']],
                ),
                training=False,
            )
            inputs = data['inputs']  # (1, views, C, T, H, W)
            if args.mode == 'clip':
                feats = model.extract_feat(inputs, stage='backbone')[0]
                array = pooled(feats).mean(0)
            else:
                windows = inputs[0]
                array = np.concatenate(
                    [
                        pooled(
                            model.backbone(windows[s : s + args.batch_size])
                        )
                        for s in range(0, len(windows), args.batch_size)
                    ]
                )
            rel = osp.relpath(
                info['filename'], dataset.data_prefix.get('video', '')
            )
            name = rel.replace(os.sep, '__') + '.npy'
            np.save(osp.join(args.out_dir, name), array)
            shape = 'x'.join(str(s) for s in array.shape)
            index_lines.append(f'{name} {info.get("label", -1)} {shape}')
    with open(osp.join(args.out_dir, 'features.txt'), 'w') as f:
        f.write('\n'.join(index_lines) + '\n')
    print(f'{len(index_lines)} feature arrays in {args.out_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
