# Copyright (c) mmvssm contributors. All rights reserved.
"""Time the selective-scan backends side by side at VideoMamba shapes.

Backends: ``chunked`` (mmvssm's default PyTorch path), ``ref`` (sequential
reference, autograd through the loop), ``mambapy`` (a selective scan built on
mambapy's Blelloch ``pscan``, the peer pure-PyTorch implementation, when
installed) and ``mamba_ssm`` (the CUDA kernel, on CUDA when installed).

For each shape (L = 1 + 196 * T for T frames, d_inner, N, batch) it prints
the median time of the forward (under ``no_grad``) and of forward + backward
over ``--repeat`` interleaved rounds, the peak memory of each, the largest
output difference to ``chunked``, and the ratios against ``chunked``.

Peak memory: on CPU, the peak resident set size (``VmHWM`` of
``/proc/self/status``, reset through ``/proc/self/clear_refs`` before the
call; ``ru_maxrss`` where that is not available) of a fresh subprocess per
backend and mode, minus its resident size just before the call (inputs
already built). On CUDA, ``torch.cuda.max_memory_allocated`` above the
allocation before the call.

Example (the CPU acceptance shape)::

    python tools/analysis_tools/benchmark_scan.py --d-inner 384 --frames 16
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional

import torch
import torch.nn.functional as F

from mmvssm.ops import kernel_availability, selective_scan

__all__ = ['main']

BACKENDS = ('chunked', 'ref', 'mambapy', 'mamba_ssm')
MODES = ('fwd', 'fwd+bwd')
DTYPES = dict(fp32=torch.float32, bf16=torch.bfloat16, fp16=torch.float16)
# Rough peak memory of each backend in units of one (batch, d, L, N) fp32
# tensor (mambapy: of its length padded to a power of two), for skipping
# shapes that do not fit in --max-gb.
MEMORY_FACTOR = dict(chunked=3, ref=7, mambapy=9, mamba_ssm=1)


def mambapy_scan(
    u: torch.Tensor,
    delta: torch.Tensor,
    A: torch.Tensor,
    B: torch.Tensor,
    C: torch.Tensor,
    D: torch.Tensor,
    delta_bias: torch.Tensor,
) -> torch.Tensor:
    """Selective scan on mambapy's ``pscan``, as mambapy's own Mamba does."""
    from mambapy.pscan import pscan

    delta = F.softplus(delta.float() + delta_bias[:, None].float())
    delta = delta.transpose(1, 2)  # (b, L, d)
    u_t = u.float().transpose(1, 2)
    decay = torch.exp(delta.unsqueeze(-1) * A)  # (b, L, d, N)
    inputs = (delta * u_t).unsqueeze(-1) * B.float().transpose(1, 2)[
        :, :, None
    ]
    states = pscan(decay, inputs)
    y = (states @ C.float().transpose(1, 2).unsqueeze(-1)).squeeze(-1)
    return (y + u_t * D).transpose(1, 2).to(u.dtype)


def make_inputs(
    batch: int, d_inner: int, d_state: int, length: int, dtype, device
) -> Dict[str, torch.Tensor]:
    """Inputs in Mamba's ranges (S4D-real A, softplus deltas)."""
    gen = torch.Generator().manual_seed(0)

    def rand(*shape, scale=1.0):
        return (torch.randn(*shape, generator=gen) * scale).to(device)

    a_log = torch.log(torch.arange(1, d_state + 1).float()).repeat(d_inner, 1)
    return dict(
        u=rand(batch, d_inner, length).to(dtype),
        delta=rand(batch, d_inner, length, scale=0.5).to(dtype),
        A=-torch.exp(a_log).to(device),
        B=rand(batch, d_state, length).to(dtype),
        C=rand(batch, d_state, length).to(dtype),
        D=torch.ones(d_inner, device=device),
        delta_bias=rand(d_inner, scale=0.5) - 4.0,
    )


def scan_fn(backend: str) -> Callable:
    """Call one backend with the benchmark's arguments."""
    if backend == 'mambapy':
        return mambapy_scan
    return lambda **kw: selective_scan(
        **kw, delta_softplus=True, backend=backend
    )


def sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize()


def run_once(
    backend: str, mode: str, inputs: Dict[str, torch.Tensor]
) -> torch.Tensor:
    """One forward, or forward + backward, of a backend."""
    fn = scan_fn(backend)
    if mode == 'fwd':
        with torch.no_grad():
            return fn(**inputs)
    leaves = {k: v.detach().requires_grad_() for k, v in inputs.items()}
    out = fn(**leaves)
    out.backward(torch.ones_like(out))
    return out.detach()


def _current_rss() -> int:
    """Resident set size of this process in bytes."""
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


def _peak_rss() -> int:
    """Peak resident set size in bytes since the last reset."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_peak_rss() -> None:
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')  # resets VmHWM to the current RSS (Linux >= 4.0)
    except OSError:
        pass


def measure_peak_memory(backend: str, mode: str, args, length: int) -> float:
    """Peak extra memory (MB) of one call, measured in a fresh process."""
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        '--child',
        json.dumps(
            dict(
                backend=backend,
                mode=mode,
                length=length,
                batch=args.batch,
                d_inner=args.cur_d_inner,
                d_state=args.d_state,
                dtype=args.dtype,
                device=args.device,
                threads=args.threads,
            )
        ),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f'memory probe failed: {proc.stderr[-2000:]}')
    return float(proc.stdout.strip().splitlines()[-1])


def child(spec: dict) -> None:
    """Body of the memory-probe subprocess: prints peak extra MB."""
    torch.set_num_threads(spec['threads'])
    device = torch.device(spec['device'])
    inputs = make_inputs(
        spec['batch'],
        spec['d_inner'],
        spec['d_state'],
        spec['length'],
        DTYPES[spec['dtype']],
        device,
    )
    if device.type == 'cuda':
        sync(device)
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        run_once(spec['backend'], spec['mode'], inputs)
        sync(device)
        peak = torch.cuda.max_memory_allocated() - before
    else:
        before = _current_rss()
        _reset_peak_rss()
        run_once(spec['backend'], spec['mode'], inputs)
        peak = _peak_rss() - before
    print(peak / 2**20)


def available_backends(
    requested: List[str], device: torch.device
) -> List[str]:
    """Drop backends that cannot run here, saying why."""
    chosen = []
    for name in requested:
        if name == 'mambapy':
            try:
                import mambapy.pscan  # noqa: F401
            except ImportError:
                print(
                    'skip mambapy: not installed (pip install mambapy)',
                    flush=True,
                )
                continue
        info = kernel_availability(device)['selective_scan']
        if name == info.kernel and not info.available:
            print(f'skip {name}: {info.reason}', flush=True)
            continue
        chosen.append(name)
    return chosen


def fits(backend: str, args, length: int) -> Optional[float]:
    """Estimated GB when it exceeds --max-gb, else None."""
    full = args.batch * args.cur_d_inner * args.d_state * 4
    padded = 2 ** (length - 1).bit_length() if backend == 'mambapy' else length
    gb = MEMORY_FACTOR[backend] * full * padded / 2**30
    return gb if gb > args.max_gb else None


def bench_shape(args, frames: int, backends: List[str]) -> None:
    """Time and measure all backends at one shape; print a table."""
    length = 1 + 196 * frames
    device = torch.device(args.device)
    inputs = make_inputs(
        args.batch,
        args.cur_d_inner,
        args.d_state,
        length,
        DTYPES[args.dtype],
        device,
    )
    print(
        f'\n== T={frames} (L={length}), d_inner={args.cur_d_inner}, '
        f'N={args.d_state}, batch={args.batch}, {args.dtype}, {device}, '
        f'threads={args.threads}, median of {args.repeat} =='
    )
    runnable = []
    for name in backends:
        too_big = fits(name, args, length)
        if too_big is not None:
            print(
                f'skip {name}: needs ~{too_big:.1f} GB > --max-gb', flush=True
            )
        else:
            runnable.append(name)
    times = {(b, m): [] for b in runnable for m in MODES}
    outputs = {}
    for name in runnable:  # warm-up (allocator, lazy imports, kernels)
        outputs[name] = run_once(name, 'fwd', inputs).float()
    for _ in range(args.repeat):  # interleaved rounds: fair under load
        for name in runnable:
            for mode in MODES:
                sync(device)
                start = time.perf_counter()
                run_once(name, mode, inputs)
                sync(device)
                times[(name, mode)].append(time.perf_counter() - start)
    median = {k: statistics.median(v) for k, v in times.items()}
    memory = {}
    if not args.no_memory:
        for name in runnable:
            for mode in MODES:
                memory[(name, mode)] = measure_peak_memory(
                    name, mode, args, length
                )
    base = runnable[0] if runnable else None
    header = (
        f'{"backend":<10} {"fwd s":>8} {"fwd+bwd s":>10} '
        f'{"fwd MB":>9} {"fwd+bwd MB":>11} {"max|diff|":>10}'
    )
    print(header)
    for name in runnable:
        diff = (outputs[name] - outputs[base]).abs().max().item()
        mem = [memory.get((name, m)) for m in MODES]
        mem_txt = [f'{m:9.0f}' if m is not None else f'{"-":>9}' for m in mem]
        print(
            f'{name:<10} {median[(name, "fwd")]:8.3f} '
            f'{median[(name, "fwd+bwd")]:10.3f} {mem_txt[0]} '
            f'{mem_txt[1]:>11} {diff:10.2e}'
        )
    # Ratios > 1: the other backend is slower / uses more memory.
    for name in runnable[1:]:
        line = f'{name} / {base}: time ' + ', '.join(
            f'{m} {median[(name, m)] / median[(base, m)]:.2f}x' for m in MODES
        )
        if memory:
            line += '; peak memory ' + ', '.join(
                f'{m} {memory[(name, m)] / max(memory[(base, m)], 1e-9):.2f}x'
                for m in MODES
            )
        print(line)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--backends', nargs='+', default=list(BACKENDS), choices=BACKENDS
    )
    parser.add_argument(
        '--d-inner', nargs='+', type=int, default=[384, 768, 1152]
    )
    parser.add_argument(
        '--frames',
        nargs='+',
        type=int,
        default=[8, 16, 32, 64],
        help='L = 1 + 196 * frames (VideoMamba, 224x224, patch 16)',
    )
    parser.add_argument('--d-state', type=int, default=16)
    parser.add_argument('--batch', type=int, default=1)
    parser.add_argument('--dtype', default='fp32', choices=sorted(DTYPES))
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu'
    )
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch.set_num_threads for every backend and memory probe',
    )
    parser.add_argument(
        '--max-gb',
        type=float,
        default=8.0,
        help='skip a backend at a shape whose estimated peak exceeds this',
    )
    parser.add_argument('--no-memory', action='store_true')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress through pipes
    if args.child:
        child(json.loads(args.child))
        return
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    for info in kernel_availability(device).values():
        state = 'available' if info.available else f'not used ({info.reason})'
        print(f'{info.op} kernel {info.kernel}: {state}')
    backends = available_backends(args.backends, device)
    # chunked first: it is the baseline of the printed ratios.
    backends.sort(key=lambda name: name != 'chunked')
    for d_inner in args.d_inner:
        args.cur_d_inner = d_inner
        for frames in args.frames:
            bench_shape(args, frames, backends)


if __name__ == '__main__':
    main()
