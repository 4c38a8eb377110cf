# Copyright (c) mmvssm contributors. All rights reserved.
"""Confusion matrix of a ``tools/test.py --dump`` file, class names on axes.

Example::

    python tools/test.py CONFIG CHECKPOINT --dump results.pkl
    python tools/analysis_tools/confusion_matrix.py CONFIG results.pkl \\
        --out confusion.png --include-values

The counts are printed (rows: true class, columns: predicted class) and,
with ``--out``, drawn by mmpretrain's ``ConfusionMatrix.plot``. The class
names come from ``--label-file`` (one a line, in label order) or from the
config's test dataset. The dump is read without running code (it is a
pickle; see :func:`mmvssm.utils.checkpoint.load_results_file`).
"""

import argparse
import os.path as osp
import sys
from typing import List, Optional

import mmvssm  # noqa: F401  (registries and stack fixes first)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Confusion matrix of a tools/test.py --dump file'
    )
    parser.add_argument('config', help='the config the results came from')
    parser.add_argument(
        'results', help='the --dump .pkl file of tools/test.py'
    )
    parser.add_argument(
        '--label-file', help='class names, one a line, in label order'
    )
    parser.add_argument('--out', help='save the plot here (e.g. cm.png)')
    parser.add_argument(
        '--include-values',
        action='store_true',
        help='write the counts into the cells of the plot',
    )
    parser.add_argument('--cmap', default='viridis', help='matplotlib cmap')
    return parser.parse_args(argv)


def dataset_classes(config: str) -> Optional[List[str]]:
    """The class names of the config's test dataset, when it names them."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmvssm.registry import DATASETS

    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmvssm'))
    dataset_cfg = cfg.test_dataloader.dataset
    classes = (dataset_cfg.get('metainfo') or {}).get('classes')
    if classes is None:
        dataset_cfg = dict(dataset_cfg, lazy_init=True)
        classes = DATASETS.build(dataset_cfg).metainfo.get('classes')
    return list(classes) if classes is not None else None


def results_arrays(results):
    """``(scores (N, C), labels (N,))`` of mmaction2's dumped samples."""
    import torch

    try:
        scores = torch.stack(
            [torch.as_tensor(r['pred_score']) for r in results]
        )
        labels = torch.cat(
            [torch.as_tensor(r['gt_label']).reshape(-1) for r in results]
        )
    except (KeyError, TypeError, RuntimeError) as err:
        raise ValueError(
            f'the file does not hold mmaction2 test results with pred_score '
            f'and gt_label ({err})'
        ) from None
    return scores.float(), labels.long()


def main(argv=None) -> int:
    args = parse_args(argv)
    for name in ('config', 'results', 'label_file'):
        path = getattr(args, name)
        if path is not None and not osp.isfile(path):
            sys.exit(
                f'error: {name.replace("_", " ")} {path!r} does not exist'
            )
    from mmpretrain.evaluation import ConfusionMatrix

    from mmvssm.utils.checkpoint import CheckpointError, load_results_file

    try:
        scores, labels = results_arrays(load_results_file(args.results))
    except (CheckpointError, ValueError) as err:
        sys.exit(f'error: {args.results}: {err}')
    if args.label_file:
        with open(args.label_file, encoding='utf-8') as f:
            classes = [line.strip() for line in f if line.strip()]
    else:
        classes = dataset_classes(args.config)
    num_classes = scores.shape[1]
    if classes is not None and len(classes) != num_classes:
        sys.exit(
            f'error: {len(classes)} class names for {num_classes} scores; '
            f'pass the label file of the dataset the model was tested on'
        )
    matrix = ConfusionMatrix.calculate(scores, labels, num_classes)
    names = classes or [str(i) for i in range(num_classes)]
    width = max(len(n) for n in names)
    print(f'{len(labels)} samples; rows: true class, columns: predicted')
    for name, row in zip(names, matrix.tolist()):
        print(f'{name:>{width}} ' + ' '.join(f'{v:4d}' for v in row))
    if args.out:
        import matplotlib

        matplotlib.use('Agg')
        figure = ConfusionMatrix.plot(
            matrix,
            include_values=args.include_values,
            cmap=args.cmap,
            classes=names,
            show=False,
        )
        figure.savefig(args.out, bbox_inches='tight')
        print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
