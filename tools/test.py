# Copyright (c) mmvssm contributors. All rights reserved.
"""Test a checkpoint: ``python tools/test.py CONFIG [CHECKPOINT] [options]``.

mmaction2's ``tools/test.py`` command line, with mmvssm imported first (its
registries and stack fixes) and distributed runs working on CPU too.
"""

import argparse
import os.path as osp

import mmvssm  # noqa: F401  (registries and stack fixes first)
from mmvssm.utils import launch


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Test (and evaluate) a video recognizer'
    )
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='checkpoint file; leave it out for a model whose weights all '
        'come from its init_cfg (e.g. configs/clip/ zero-shot)',
    )
    parser.add_argument(
        '--dump',
        type=str,
        help='dump the predictions to this .pkl file for offline evaluation',
    )
    parser.add_argument(
        '--show-dir', help='save visualizations of the predictions here'
    )
    parser.add_argument(
        '--show', action='store_true', help='show the predictions in a window'
    )
    parser.add_argument(
        '--interval', type=int, default=1, help='visualize every N samples'
    )
    parser.add_argument(
        '--wait-time',
        type=float,
        default=2,
        help='seconds each shown window stays open',
    )
    launch.add_common_args(parser)
    return parser.parse_args(argv)


def merge_args(cfg, args):
    """Apply the command line to the config (``--cfg-options`` comes after)."""
    if args.show or args.show_dir is not None:
        if 'visualization' not in cfg.get('default_hooks', {}):
            raise launch.ToolError(
                '--show/--show-dir need default_hooks.visualization = '
                "dict(type='VisualizationHook') in the config"
            )
        vis = cfg.default_hooks.visualization
        vis.enable = True
        vis.show = args.show
        vis.wait_time = args.wait_time
        vis.out_dir = args.show_dir
        vis.interval = args.interval

    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise launch.ToolError(
                f'--dump {args.dump!r}: the file name must end with .pkl'
            )
        dump_metric = dict(type='DumpResults', out_file_path=args.dump)
        evaluators = cfg.test_evaluator
        if not isinstance(evaluators, (list, tuple)):
            evaluators = [evaluators]
        cfg.test_evaluator = [*evaluators, dump_metric]

    launch.resolve_work_dir(cfg, args.config, args.work_dir)
    if args.checkpoint is not None:
        if not osp.isfile(args.checkpoint):
            raise launch.ToolError(
                f'checkpoint {args.checkpoint!r} does not exist; pass a .pth '
                f'file written by tools/train.py or a converted official one'
            )
        cfg.load_from = args.checkpoint
    if args.strict_data:
        launch.set_strict_videos(cfg)
    return cfg


def main(argv=None) -> None:
    launch.run_tool(parse_args(argv), merge_args, 'test')


if __name__ == '__main__':
    main()
