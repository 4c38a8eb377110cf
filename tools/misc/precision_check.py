# Copyright (c) mmvssm contributors. All rights reserved.
"""Train VideoMamba in mixed precision and check every step stays finite.

``python tools/misc/precision_check.py [--dtype bfloat16] [--iters 1000]``

Builds the README main job's model, data and optimizer with mmengine's
runner (the synthetic motion set, shrunk to 32x32 so that CPU runs take
minutes), then trains ``--iters`` steps under autocast: bf16 on CPU (plain
``OptimWrapper`` inside ``torch.autocast('cpu')``; mmengine's
``AmpOptimWrapper`` needs an accelerator), bf16 or fp16 with dynamic loss
scaling through ``AmpOptimWrapper`` on CUDA. After each step it checks the
loss, the gradients and the weights for NaN/Inf (with fp16 a step the loss
scaler skips for overflowing gradients is counted, not failed). At the end
it compares the logits of the trained model under autocast with fp32.
Exits with status 1 on any non-finite loss or weight.
"""

import argparse
import math
import os.path as osp
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(
    REPO,
    'configs/videomamba/'
    'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py',
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--dtype', choices=['bfloat16', 'float16'], default='bfloat16'
    )
    parser.add_argument('--device', choices=['cpu', 'cuda'], default=None)
    parser.add_argument('--iters', type=int, default=1000)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--resolution', type=int, default=32)
    parser.add_argument('--work-dir', default='work_dirs/precision_check')
    return parser.parse_args(argv)


def build(args, device):
    from mmengine.config import Config
    from mmengine.runner import Runner

    size = args.resolution
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = args.work_dir
    cfg.model.backbone.img_size = size
    cfg.model.backbone.drop_path_rate = 0.1
    for t in cfg.train_pipeline:
        if t.type == 'Resize':
            t.scale = (
                (size, size)
                if t.get('keep_ratio') is False
                else (
                    -1,
                    size,
                )
            )
    loader = cfg.train_dataloader
    loader.batch_size = args.batch_size
    loader.num_workers = 2
    loader.dataset.update(
        pipeline=cfg.train_pipeline,
        resolution=size,
        data_root=osp.join(args.work_dir, 'data'),
    )
    if device == 'cuda':
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.dtype = args.dtype
        cfg.optim_wrapper.loss_scale = 'dynamic'
    cfg.param_scheduler = None
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    runner = Runner.from_cfg(cfg)
    dataloader = runner.build_dataloader(cfg.train_dataloader)
    optim_wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
    return runner.model, dataloader, optim_wrapper


def finite(tensors) -> bool:
    import torch

    return all(bool(torch.isfinite(t).all()) for t in tensors)


def main(argv=None) -> int:
    import torch

    from mmvssm.utils.amp_fixes import fix_bf16_head_scores

    fix_bf16_head_scores()  # mmaction2's heads fail on bf16 scores
    args = parse_args(argv)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if device == 'cpu' and args.dtype == 'float16':
        print('error: fp16 autocast needs CUDA; use --dtype bfloat16 on CPU')
        return 2
    dtype = getattr(torch, args.dtype)
    model, dataloader, optim_wrapper = build(args, device)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    scaler = getattr(optim_wrapper, 'loss_scaler', None)
    bad_loss = bad_weight = skipped = step = 0
    losses = []
    started = time.time()
    while step < args.iters:
        for data in dataloader:
            if step == args.iters:
                break
            scale = scaler.get_scale() if scaler is not None else None
            with torch.autocast(device, dtype=dtype, enabled=device == 'cpu'):
                log = model.train_step(data, optim_wrapper)
            loss = float(log['loss'])
            losses.append(loss)
            if not math.isfinite(loss):
                bad_loss += 1
            if scaler is not None and scaler.get_scale() < scale:
                skipped += 1  # overflow: the scaler skipped this step
            if not finite(p.detach() for p in params):
                bad_weight += 1
                break
            step += 1
            if step % 100 == 0:
                mean = sum(losses[-100:]) / len(losses[-100:])
                print(
                    f'step {step}: mean loss {mean:.4f} '
                    f'({time.time() - started:.0f} s)',
                    flush=True,
                )
        if bad_weight:
            break
    # Logits of the trained model, autocast vs fp32, on one batch.
    model.eval()
    data = model.data_preprocessor(next(iter(dataloader)), False)
    with torch.no_grad():
        ref = model(**data, mode='tensor').float()
        with torch.autocast(device, dtype=dtype):
            low = model(**data, mode='tensor').float()
    rel = float((low - ref).abs().max() / ref.abs().max().clamp_min(1e-6))
    first = sum(losses[:50]) / max(1, len(losses[:50]))
    last = sum(losses[-50:]) / max(1, len(losses[-50:]))
    print(
        f'{args.dtype} on {device}: {step} steps in '
        f'{time.time() - started:.0f} s; non-finite losses {bad_loss}, '
        f'non-finite weights {bad_weight}, scaler-skipped steps {skipped}; '
        f'mean loss first 50 {first:.4f} -> last 50 {last:.4f}; '
        f'logits {args.dtype} vs fp32: max relative difference {rel:.3g}'
    )
    return 1 if bad_loss or bad_weight or step < args.iters else 0


if __name__ == '__main__':
    sys.path.insert(0, REPO)
    sys.exit(main())
