# Copyright (c) mmvssm contributors. All rights reserved.
"""Export a recognizer to ``torch.export``, TorchScript or ONNX.

``python tools/deployment/export.py CONFIG CHECKPOINT --out-dir DIR
[--format export torchscript onnx] [--video VIDEO | --shape T H W]``

The exported graph is the whole test-time model for one clip per video:

    input  ``(N, C, T, H, W)`` float32, raw pixel values (RGB, 0..255), as the
           config's test pipeline hands them to the model;
    output ``(N, num_classes)`` class scores, exactly ``pred_score`` of
           ``inference_recognizer`` (the data preprocessor's normalisation,
           backbone, head and the head's clip averaging, e.g. softmax).

Formats (files written to ``--out-dir``):

* ``export``: ``torch.export`` program, ``<name>.pt2`` (batch size dynamic
  when the example's batch is 2 or more); load with
  ``torch.export.load(path).module()``; it runs with autograd on or off.
* ``torchscript``: ``torch.jit.trace``, ``<name>.torchscript.pt`` (traced at
  the example's batch size); load with ``torch.jit.load``.
* ``onnx``: ``<name>.onnx`` through torch's ``dynamo`` ONNX exporter; needs
  the ``onnx`` and ``onnxscript`` packages, and ``onnxruntime`` for the
  parity check (``pip install onnx onnxscript onnxruntime``).

Every exported file is loaded back and run on the example input (a clip of
``--video`` through the config's test pipeline, else a seeded random clip of
``--shape``, by default the backbone's ``num_frames`` and ``img_size``);
its output is compared with the eager model's. The tool prints one line per
format and exits with status 1 when a difference exceeds ``--atol``.

The selective scan runs on its PyTorch backend under export (the default on
CPU); export on a CPU machine, or set ``MMVSSM_SCAN_BACKEND=chunked``.
"""

import argparse
import os
import os.path as osp
import sys
import time
from typing import List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config, DictAction
from torch import nn

import mmvssm  # noqa: F401  (registries and stack fixes first)
from mmvssm.utils.messages import first_line

FORMATS = ('export', 'torchscript', 'onnx')

__all__ = ['RecognizerForExport', 'example_input', 'export_model', 'main']


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Export an mmvssm recognizer (torch.export, TorchScript, '
        'ONNX) and check it against the eager model'
    )
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out-dir', required=True, help='where the exported files go'
    )
    parser.add_argument(
        '--format',
        nargs='+',
        choices=FORMATS,
        default=['export'],
        help='what to write (default: export)',
    )
    parser.add_argument(
        '--video',
        help="example input: one clip of this video through the config's "
        'test pipeline',
    )
    parser.add_argument(
        '--shape',
        type=int,
        nargs=3,
        metavar=('T', 'H', 'W'),
        help="example input of random pixels (default: the backbone's "
        'num_frames and img_size)',
    )
    parser.add_argument(
        '--batch-size',
        type=int,
        default=2,
        help='batch of the example input (default: 2)',
    )
    parser.add_argument(
        '--atol',
        type=float,
        default=1e-4,
        help='largest allowed |exported - eager| of a score (default: 1e-4)',
    )
    parser.add_argument(
        '--name', help="file name stem (default: the config's name)"
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs',
    )
    return parser.parse_args(argv)


class RecognizerForExport(nn.Module):
    """A recognizer's test-time forward on a plain tensor.

    Args:
        recognizer (nn.Module): An mmaction2 ``Recognizer3D`` (or any
            recognizer whose ``forward(x, mode='tensor')`` takes
            ``(N, num_clips, C, T, H, W)``), in eval mode.
    """

    def __init__(self, recognizer: nn.Module) -> None:
        super().__init__()
        self.recognizer = recognizer
        pre = recognizer.data_preprocessor
        self.normalize = bool(getattr(pre, '_enable_normalize', False))
        if self.normalize:
            # Channels first, whatever layout the preprocessor stores.
            shape = (1, -1, 1, 1, 1)
            self.register_buffer('mean', pre.mean.reshape(shape).clone())
            self.register_buffer('std', pre.std.reshape(shape).clone())

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """Class scores of ``(N, C, T, H, W)`` raw-pixel clips."""
        x = inputs.float()
        if self.normalize:
            x = (x - self.mean) / self.std
        scores = self.recognizer(x.unsqueeze(1), mode='tensor', stage='head')
        return self.recognizer.cls_head.average_clip(scores, num_segs=1)


def example_input(
    model, video: Optional[str], shape: Optional[Sequence[int]], batch: int
):
    """The example clip(s), ``(batch, C, T, H, W)`` float32.

    Args:
        model (nn.Module): The recognizer, with ``cfg`` set.
        video (str, optional): A video; one clip through the test pipeline.
        shape (Sequence[int], optional): ``T H W`` of random pixels.
        batch (int): Batch size (the clip is repeated for a video).

    Returns:
        Tensor: The input.
    """
    if video is not None:
        from mmengine.dataset import Compose
        from mmengine.registry import init_default_scope

        from mmvssm.apis import config_scope

        init_default_scope(config_scope(model.cfg))
        pipeline = Compose(model.cfg.test_pipeline)
        data = pipeline(dict(filename=video, label=-1, start_index=0))
        clips = data['inputs'].float()  # (num_clips, C, T, H, W)
        return clips[:1].expand(batch, *clips.shape[1:]).contiguous()
    if shape is None:
        backbone = model.cfg.model.get('backbone', {})
        frames, size = backbone.get('num_frames'), backbone.get('img_size')
        if frames is None or size is None:
            raise ValueError(
                'the backbone names no num_frames/img_size; pass --shape T H '
                'W or --video VIDEO'
            )
        size = (size, size) if isinstance(size, int) else tuple(size)
        shape = (frames, *size)
    channels = model.cfg.model.get('backbone', {}).get('in_channels', 3)
    gen = torch.Generator().manual_seed(0)
    return torch.randint(
        0, 256, (batch, channels, *shape), generator=gen
    ).float()


def _export_program(module, example, path: str):
    batch = torch.export.Dim('batch', min=1, max=1024)
    try:
        program = torch.export.export(
            module, (example,), dynamic_shapes=({0: batch},)
        )
    except Exception:  # a model that fixes the batch: export it static
        print(f'export: batch size fixed at {example.shape[0]}')
        program = torch.export.export(module, (example,))
    # Core ATen, functional: the scan's in-place CPU kernels (``out=``)
    # become plain ops, so the program also runs with autograd enabled.
    program = program.run_decompositions()
    torch.export.save(program, path)
    return torch.export.load(path).module()


def _export_torchscript(module, example, path: str):
    with torch.no_grad():
        traced = torch.jit.trace(module, (example,))
    traced.save(path)
    return torch.jit.load(path)


class _MissingPackage(RuntimeError):
    pass


class _ExportFailed(RuntimeError):
    pass


def _export_onnx(module, example, path: str):
    import importlib.util

    find = importlib.util.find_spec
    missing = [p for p in ('onnx', 'onnxscript') if find(p) is None]
    if missing:
        raise _MissingPackage(
            f'ONNX export needs {" and ".join(missing)}: pip install onnx '
            f'onnxscript onnxruntime'
        )
    batch = torch.export.Dim('batch', min=1, max=1024)
    torch.onnx.export(
        module,
        (example,),
        path,
        input_names=['inputs'],
        output_names=['scores'],
        dynamo=True,
        dynamic_shapes=({0: batch},),
        external_data=False,
    )
    if find('onnxruntime') is None:
        raise _MissingPackage(
            f'wrote {path}; the parity check needs onnxruntime: pip install '
            f'onnxruntime'
        )
    import onnxruntime as ort

    try:
        session = ort.InferenceSession(
            path, providers=['CPUExecutionProvider']
        )
    except Exception as err:  # e.g. older torch exporters' invalid graphs
        first = first_line(err)
        raise _ExportFailed(
            f'onnxruntime rejects the file torch {torch.__version__} wrote '
            f'({first}); ONNX export is tested with the torch of '
            'requirements/constraints.txt: upgrade torch, or use --format '
            'export torchscript'
        ) from None

    def run(x):
        (out,) = session.run(None, {'inputs': x.numpy()})
        return torch.from_numpy(out)

    return run


_EXPORTERS = {
    'export': ('.pt2', _export_program),
    'torchscript': ('.torchscript.pt', _export_torchscript),
    'onnx': ('.onnx', _export_onnx),
}


def export_model(
    module, example, fmt: str, out_dir: str, name: str
) -> Tuple[str, float, bool]:
    """Write one format, load it back and compare it with the eager model.

    Args:
        module (nn.Module): A :class:`RecognizerForExport`.
        example (Tensor): The example input.
        fmt (str): One of ``FORMATS``.
        out_dir (str): Output folder.
        name (str): File name stem.

    Returns:
        tuple[str, float, bool]: The file, the largest absolute difference
        of a score, and whether the top-1 classes agree.
    """
    suffix, exporter = _EXPORTERS[fmt]
    path = osp.join(out_dir, name + suffix)
    with torch.no_grad():
        eager = module(example)
    loaded = exporter(module, example, path)
    with torch.no_grad():
        got = loaded(example)
    diff = float((got - eager).abs().max())
    same_top1 = bool((got.argmax(-1) == eager.argmax(-1)).all())
    return path, diff, same_top1


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    for what in ('config', 'checkpoint', 'video'):
        path = getattr(args, what)
        if path is not None and not osp.isfile(path):
            sys.exit(f'error: {what} {path!r} does not exist')
    if args.batch_size < 1:
        sys.exit('error: --batch-size must be at least 1')
    from mmvssm.apis import init_recognizer
    from mmvssm.utils.checkpoint import CheckpointError

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    try:
        model = init_recognizer(cfg, args.checkpoint, device='cpu')
    except CheckpointError as err:
        sys.exit(f'error: {err}')
    try:
        example = example_input(model, args.video, args.shape, args.batch_size)
    except ValueError as err:
        sys.exit(f'error: {err}')
    except Exception as err:  # decord and the pipeline raise their own
        sys.exit(f'error: cannot read {args.video!r} ({err})')
    module = RecognizerForExport(model).eval()
    os.makedirs(args.out_dir, exist_ok=True)
    name = args.name or osp.splitext(osp.basename(args.config))[0]
    print(f'input {tuple(example.shape)} float32 (raw pixels, RGB)')
    failed = False
    for fmt in dict.fromkeys(args.format):
        start = time.perf_counter()
        try:
            path, diff, same = export_model(
                module, example, fmt, args.out_dir, name
            )
        except _MissingPackage as err:
            print(f'{fmt}: skipped: {err}')
            failed = True
            continue
        except _ExportFailed as err:
            print(f'{fmt}: FAILED: {err}')
            failed = True
            continue
        ok = diff <= args.atol and same
        failed |= not ok
        print(
            f'{fmt}: {path}  max|exported - eager| = {diff:.3g}  '
            f'top-1 {"agrees" if same else "DIFFERS"}  '
            f'({time.perf_counter() - start:.1f} s)  '
            f'{"OK" if ok else f"FAILED (atol {args.atol:g})"}'
        )
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
