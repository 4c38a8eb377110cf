# Copyright (c) mmvssm contributors. All rights reserved.
"""Convert an official VideoMamba checkpoint into a whole-model checkpoint.

The backbone loads official files as they are (``init_cfg=dict(
type='Pretrained', checkpoint=...)``), but that leaves the classifier out.
This tool writes the backbone under ``backbone.`` and the official ``head``
as ``cls_head.fc_cls`` (mmaction2's ``TimeSformerHead``), so that
``load_from=...`` or ``tools/test.py CONFIG CHECKPOINT`` restore the whole
recognizer. Shapes are kept: position tables are resized (and 2D patch
kernels inflated) when the checkpoint is loaded into a model. The mapping
lives in :mod:`mmvssm.models.utils.ckpt_convert`, shared with the backbone's
load hook. The file is read by :func:`mmvssm.utils.checkpoint.
load_checkpoint_file` (weights-only; see there for trusted files).

Example::

    python tools/model_converters/videomamba_official_to_mmvssm.py \\
        checkpoints/videomamba_t16_k400_f8_res224.pth \\
        checkpoints/videomamba_t16_k400_f8_res224_mmvssm.pth
"""

import argparse
import os.path as osp
import sys

import torch

from mmvssm.models.utils import official_to_recognizer
from mmvssm.utils.checkpoint import CheckpointError, load_checkpoint_file


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Official VideoMamba .pth -> mmvssm recognizer checkpoint'
    )
    parser.add_argument('src', help='official checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint (.pth)')
    parser.add_argument(
        '--no-head',
        action='store_true',
        help='leave the classifier out (e.g. for other class counts)',
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        # Weights-only; a file you trust that holds more (e.g. pickled
        # training args) can be named in MMVSSM_TRUSTED_CHECKPOINTS.
        state = load_checkpoint_file(
            args.src, map_location='cpu', runner_state=False
        )
    except CheckpointError as err:
        sys.exit(f'error: {err}')
    if not isinstance(state, dict):
        sys.exit(f'error: {args.src} does not hold a dict of tensors')
    converted, notes = official_to_recognizer(
        state, keep_head=not args.no_head
    )
    if not any(k.startswith('backbone.layers.') for k in converted):
        sys.exit(
            f'error: {args.src} has no VideoMamba layers.* weights; is it a '
            'VideoMamba checkpoint?'
        )
    meta = dict(
        source=osp.basename(args.src), converter=osp.basename(__file__)
    )
    torch.save(dict(state_dict=converted, meta=meta), args.dst)
    print(f'{len(converted)} tensors -> {args.dst}')
    for note in notes:
        print(f'  {note}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
