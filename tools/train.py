# Copyright (c) mmvssm contributors. All rights reserved.
"""Train a recognizer: ``python tools/train.py CONFIG [options]``.

mmaction2's ``tools/train.py`` command line, with mmvssm imported first (its
registries and stack fixes) and distributed runs working on CPU too.
"""

import argparse

import mmvssm  # noqa: F401  (registries and stack fixes first)
from mmvssm.utils import launch


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a video recognizer')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint (it must exist); without a path, '
        'from the latest checkpoint in the work directory if there is one, '
        "else start as without --resume (from the config's load_from)",
    )
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision (needs CUDA)',
    )
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate on the validation set during training',
    )
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual total batch size over '
        "the config's auto_scale_lr.base_batch_size",
    )
    parser.add_argument(
        '--seed',
        type=int,
        default=None,
        help="random seed (overrides the config's randomness.seed)",
    )
    parser.add_argument(
        '--diff-rank-seed',
        action='store_true',
        help='use a different seed on each rank',
    )
    parser.add_argument(
        '--deterministic',
        action='store_true',
        help='deterministic algorithms (overrides the config)',
    )
    launch.add_common_args(parser)
    return parser.parse_args(argv)


def merge_args(cfg, args):
    """Apply the command line to the config (``--cfg-options`` comes after)."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None
    launch.resolve_work_dir(cfg, args.config, args.work_dir)

    if args.amp:
        import torch

        if not torch.cuda.is_available():
            raise launch.ToolError(
                '--amp needs a CUDA device and none is visible; '
                'train without --amp on CPU'
            )
        wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise launch.ToolError(
                f'--amp replaces the optimizer wrapper, but the config '
                f'uses {wrapper!r}; set its AMP options in the config'
            )
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    args.notes = getattr(args, 'notes', [])

    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise launch.ToolError(
                '--auto-scale-lr needs `auto_scale_lr = dict('
                'base_batch_size=...)` in the config'
            )
        cfg.auto_scale_lr.enable = True

    args.notes += launch.apply_randomness_flags(
        cfg, args.seed, args.deterministic, args.diff_rank_seed
    )
    if args.strict_data:
        launch.set_strict_videos(cfg)
    return cfg


def main(argv=None) -> None:
    launch.run_tool(parse_args(argv), merge_args, 'train')


if __name__ == '__main__':
    main()
