# Copyright (c) mmvssm contributors. All rights reserved.
"""Predict the action in a video file and optionally draw it on the video.

Example, with the checkpoint of the README's main job::

    python demo/demo.py VIDEO CONFIG CHECKPOINT --out-filename demo.gif

prints the top-5 classes with their scores and, with ``--out-filename``,
writes the video (``.mp4``, or ``.gif`` through Pillow) with the top
prediction drawn on every frame. Class names come from ``--label-file`` (one
a line, in label order) or from the checkpoint's dataset meta.
"""

import argparse
import os.path as osp
import sys
from typing import List, Optional, Sequence

import mmvssm  # noqa: F401  (registries and stack fixes first)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Predict the action in a video with an mmvssm model'
    )
    parser.add_argument('video', help='a video file (anything decord reads)')
    parser.add_argument('config', help='the config of the model')
    parser.add_argument('checkpoint', help='the checkpoint of the model')
    parser.add_argument(
        '--label-file',
        help='class names, one a line, in label order, or a shipped label '
        'map: kinetics400, kinetics600, sthv2, ucf101, hmdb51, '
        "synthetic_motion (default: the checkpoint's dataset meta)",
    )
    parser.add_argument(
        '--out-filename',
        help='write the video with the prediction drawn (.mp4 or .gif)',
    )
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--top-k', type=int, default=5, help='how many classes to print'
    )
    parser.add_argument(
        '--fps', type=float, default=None, help='frame rate of the output'
    )
    parser.add_argument(
        '--min-height',
        type=int,
        default=256,
        help='upscale smaller videos to this height so the text is readable',
    )
    return parser.parse_args(argv)


def read_labels(path: str) -> List[str]:
    """Class names from a file (one a line) or a shipped label map."""
    from mmvssm.models.text import load_class_names

    try:
        return load_class_names(path)
    except ValueError as err:
        raise ValueError(f'label file {path!r} names no class') from err


def predict(
    video: str,
    config: str,
    checkpoint: str,
    device: str = 'cpu',
    labels: Optional[Sequence[str]] = None,
    k: int = 5,
):
    """The top-``k`` ``(class, score)`` pairs of one video."""
    from mmvssm.apis import inference_recognizer, init_recognizer, top_k

    model = init_recognizer(config, checkpoint, device=device)
    if labels is None:
        labels = (model.dataset_meta or {}).get('classes')
    result = inference_recognizer(model, video)
    return top_k(result.pred_score.cpu().numpy(), labels, k)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmvssm.models.text.text_branch import CLASS_NAME_FILES

    shipped = {*CLASS_NAME_FILES, 'synthetic_motion'}
    for name in ('video', 'config', 'checkpoint', 'label_file'):
        path = getattr(args, name)
        if name == 'label_file' and path in shipped:
            continue
        if path is not None and not osp.isfile(path):
            sys.exit(
                f'error: {name.replace("_", " ")} {path!r} does not exist'
            )
    if args.out_filename and not args.out_filename.lower().endswith(
        ('.mp4', '.gif')
    ):
        sys.exit(
            f'error: --out-filename {args.out_filename!r}: write .mp4 or .gif'
        )
    import decord

    from mmvssm.utils.checkpoint import CheckpointError

    try:
        reader = decord.VideoReader(args.video)
    except Exception as err:  # decord raises its own DECORDError
        sys.exit(
            f'error: cannot decode {args.video!r} ({err}); is it a video?'
        )
    labels = read_labels(args.label_file) if args.label_file else None
    try:
        ranked = predict(
            args.video,
            args.config,
            args.checkpoint,
            args.device,
            labels,
            args.top_k,
        )
    except (CheckpointError, ValueError) as err:
        sys.exit(f'error: {err}')
    for name, score in ranked:
        print(f'{name}: {score:.4f}')
    if args.out_filename:
        frames = reader.get_batch(range(len(reader))).asnumpy()
        fps = args.fps or reader.get_avg_fps() or 8.0
        name, score = ranked[0]
        from mmvssm.visualization import draw_prediction, write_video

        annotated = draw_prediction(
            frames, f'{name} {score:.2f}', args.min_height
        )
        write_video(args.out_filename, annotated, fps)
        print(f'wrote {args.out_filename}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
