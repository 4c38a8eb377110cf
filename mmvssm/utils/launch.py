# Copyright (c) mmvssm contributors. All rights reserved.
"""What ``tools/train.py`` and ``tools/test.py`` share.

The command-line surface is mmaction2's; on top of it the tools check the
config path up front, choose the gloo backend when a distributed run starts
on a machine without CUDA, and turn known misuse into one-line errors.
"""

import argparse
import os
import os.path as osp
import re
import zipfile
from typing import Callable, List, Optional

from mmengine.config import Config, DictAction

__all__ = [
    'add_common_args',
    'load_config',
    'resolve_work_dir',
    'prepare_distributed',
    'build_runner',
    'prepare_runner',
    'run_tool',
    'set_strict_videos',
    'find_resumable_checkpoint',
    'resolve_resume',
    'apply_randomness_flags',
    'ToolError',
]


class ToolError(SystemExit):
    """A user-facing error of a tool: printed as one line, exit status 1."""

    def __init__(self, message: str):
        super().__init__(f'error: {message}')


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Add the arguments both tools take (mmaction2's names).

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
    """
    parser.add_argument(
        '--work-dir', help='the directory for logs, checkpoints and results'
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs merged '
        'into it last, e.g. train_cfg.max_epochs=3 '
        'train_dataloader.batch_size=4; a list value is written '
        'key="[a,b]"',
    )
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher',
    )
    parser.add_argument(
        '--strict-data',
        action='store_true',
        help='stop at the first unreadable video (naming it) instead of '
        'skipping it',
    )
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(path: str, launcher: str, local_rank: int) -> Config:
    """Read a config file, with a clear error when it cannot be.

    Args:
        path (str): The config file.
        launcher (str): The ``--launcher`` value.
        local_rank (int): The ``--local-rank`` value.

    Returns:
        Config: The config, with ``launcher`` set.
    """
    os.environ.setdefault('LOCAL_RANK', str(local_rank))
    if not osp.isfile(path):
        raise ToolError(
            f'config file {path!r} does not exist; pass the path of a '
            f'config, e.g. configs/videomamba/<name>.py'
        )
    cfg = Config.fromfile(path)
    cfg.launcher = launcher
    return cfg


def resolve_work_dir(
    cfg: Config, config_path: str, work_dir: Optional[str]
) -> None:
    """Set ``cfg.work_dir``: command line, then config, then file name.

    Args:
        cfg (Config): The config to update.
        config_path (str): The config file, whose stem names the default.
        work_dir (str, optional): The ``--work-dir`` value.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        stem = osp.splitext(osp.basename(config_path))[0]
        cfg.work_dir = osp.join('./work_dirs', stem)


def prepare_distributed(cfg: Config) -> bool:
    """Make a distributed run work on a machine without CUDA.

    mmengine's launcher setup calls ``torch.cuda.set_device`` and wraps the
    model with ``device_ids=[LOCAL_RANK]``; both fail without CUDA. When
    ``cfg.launcher`` is ``'pytorch'`` and CUDA is absent, this starts the
    gloo process group itself (mmengine then skips its own start) and wraps
    the model for CPU.

    Args:
        cfg (Config): The config, with ``launcher`` set.

    Returns:
        bool: Whether the CPU setup was applied.
    """
    import torch

    if cfg.launcher == 'none' or torch.cuda.is_available():
        return False
    if cfg.launcher != 'pytorch':
        raise ToolError(
            f'--launcher {cfg.launcher} needs CUDA devices, and none is '
            f'visible; on CPU launch with torchrun (tools/dist_train.sh) '
            f'and --launcher pytorch'
        )
    import torch.distributed as torch_dist

    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    wrapper_cfg = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel'
    )
    wrapper_cfg['device_ids'] = None  # CPU modules take no device ids
    cfg.model_wrapper_cfg = wrapper_cfg
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')
    return True


def _is_complete_checkpoint(path: str) -> bool:
    """Whether ``path`` is a whole torch checkpoint (zip index present).

    torch saves zip archives whose index sits at the very end, so a file
    cut short by a crash fails this check without being read in full.
    """
    return osp.isfile(path) and zipfile.is_zipfile(path)


def set_strict_videos(cfg: Config) -> None:
    """Make every dataloader's dataset raise at the first bad video.

    Args:
        cfg (Config): The config to update.
    """
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader and loader.get('dataset') is not None:
            dataset = loader['dataset']
            # Wrappers (RepeatDataset, ...) hold the dataset inside.
            while isinstance(dataset.get('dataset'), dict):
                dataset = dataset['dataset']
            dataset['strict_videos'] = True


def find_resumable_checkpoint(
    work_dir: str, notes: Optional[List[str]] = None
) -> Optional[str]:
    """The checkpoint to resume from in a work directory, or None.

    ``last_checkpoint`` names it when that file exists and the checkpoint it
    names is complete; otherwise the newest complete ``epoch_*.pth`` /
    ``iter_*.pth`` in the folder (a crash may have come between the two).

    Args:
        work_dir (str): The run's work directory.
        notes (list[str], optional): Receives what was found, to be logged.

    Returns:
        str | None: The checkpoint path.
    """
    notes = [] if notes is None else notes
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip()
        if named and not osp.isabs(named) and not osp.isfile(named):
            named = osp.join(work_dir, osp.basename(named))
        if named and _is_complete_checkpoint(named):
            return named
        notes.append(
            f'{pointer} names {named!r}, which is missing or incomplete; '
            f'looking for the newest complete checkpoint instead'
        )
    candidates = []
    if osp.isdir(work_dir):
        for name in os.listdir(work_dir):
            match = re.fullmatch(r'(epoch|iter)_(\d+)\.pth', name)
            path = osp.join(work_dir, name)
            if match and _is_complete_checkpoint(path):
                candidates.append((os.stat(path).st_mtime, path))
    return max(candidates)[1] if candidates else None


def resolve_resume(cfg: Config, resume: Optional[str]) -> List[str]:
    """Apply ``--resume`` (``None``, ``'auto'`` or a path) to the config.

    * ``--resume PATH``: resume from that file; a missing file is an error.
    * ``--resume``: resume from the work directory's latest complete
      checkpoint when there is one; otherwise start as without
      ``--resume``: from the config's ``load_from`` if set, else from the
      model's own initialisation. A job script can always pass it.

    Args:
        cfg (Config): The config (``work_dir`` already set).
        resume (str, optional): The ``--resume`` value.

    Returns:
        list[str]: Lines to log once the runner's logger exists.
    """
    notes: List[str] = []
    if resume is None:
        return notes
    if resume != 'auto':
        if not osp.isfile(resume):
            raise ToolError(
                f'--resume {resume!r}: no such checkpoint; pass an existing '
                f'.pth, or --resume alone to resume from the work directory'
            )
        cfg.resume = True
        cfg.load_from = resume
        notes.append(f'Resuming from {resume} (--resume PATH)')
        return notes
    found = find_resumable_checkpoint(cfg.work_dir, notes)
    if found is not None:
        cfg.resume = True
        cfg.load_from = found
        notes.append(
            f'Resuming from {found}, the latest checkpoint in {cfg.work_dir}'
        )
        return notes
    cfg.resume = False
    start = cfg.get('load_from')
    notes.append(
        f'--resume: no checkpoint in {cfg.work_dir} yet, so this is a first '
        f'launch: starting from '
        + (f'load_from={start}' if start else "the model's initialisation")
    )
    return notes


def apply_randomness_flags(
    cfg: Config, seed: Optional[int], deterministic: bool, diff_rank_seed: bool
) -> List[str]:
    """Let ``--seed`` / ``--deterministic`` / ``--diff-rank-seed`` win.

    A flag given on the command line overrides the config's
    ``randomness``; a flag not given leaves the config's value.

    Returns:
        list[str]: Lines to log (what was overridden).
    """
    randomness = dict(cfg.get('randomness') or {})
    given = {}
    if seed is not None:
        given['seed'] = seed
    if deterministic:
        given['deterministic'] = True
    if diff_rank_seed:
        given['diff_rank_seed'] = True
    notes = [
        f'randomness.{key}: {randomness[key]!r} in the config, '
        f'{value!r} from the command line'
        for key, value in given.items()
        if key in randomness and randomness[key] != value
    ]
    randomness.update(given)
    randomness.setdefault('seed', None)
    cfg.randomness = randomness
    return notes


def build_runner(cfg: Config):
    """Build the runner a config asks for (``runner_type``) or mmengine's.

    Args:
        cfg (Config): The complete config.

    Returns:
        Runner: The runner.
    """
    from mmengine.runner import Runner

    from mmvssm.registry import RUNNERS

    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def prepare_runner(args: argparse.Namespace, merge_args: Callable):
    """Config, command line, distributed setup, runner: a tool's main.

    Args:
        args (argparse.Namespace): The parsed command line (``config``,
            ``launcher``, ``local_rank``, ``cfg_options`` and the tool's own).
        merge_args (Callable): ``merge_args(cfg, args) -> cfg``, the tool's
            own options; ``--cfg-options`` is merged after it.

    Returns:
        Runner: The runner, ready to ``train()`` or ``test()``.
    """
    from mmvssm.utils.amp_fixes import fix_bf16_head_scores
    from mmvssm.utils.checkpoint_match import fix_checkpoint_matching

    # Idempotent; to be applied by compat's fixes as well.
    fix_checkpoint_matching()
    fix_bf16_head_scores()
    cfg = load_config(args.config, args.launcher, args.local_rank)
    args.notes = []
    cfg = merge_args(cfg, args)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    # After --cfg-options, which may set load_from or work_dir.
    args.notes += resolve_resume(cfg, getattr(args, 'resume', None))
    prepare_distributed(cfg)
    runner = build_runner(cfg)
    for note in args.notes:
        runner.logger.info(note)
    return runner


def _data_error_line(exc: BaseException) -> str:
    """The one line of a data error, also when a DataLoader re-raised it.

    A DataLoader worker's exception comes back with the worker's traceback
    in its message; the original message is its last line.
    """
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    last = lines[-1] if lines else type(exc).__name__
    return re.sub(r'^[\w.]*Error: ', '', last.strip())


def run_tool(args: argparse.Namespace, merge_args: Callable, action: str):
    """Build the runner and run ``action`` (``'train'`` or ``'test'``).

    Bad data (an annotation line, a video in strict mode, too many bad
    videos), refused or broken checkpoint files and clips that do not fit
    the backbone end the tool with one ``error: ...`` line.
    """
    from mmvssm.datasets import DataError
    from mmvssm.utils.checkpoint import CheckpointError
    from mmvssm.utils.checkpoint_match import CheckpointMismatchError
    from mmvssm.utils.input_checks import InputShapeError

    try:
        runner = prepare_runner(args, merge_args)
        return getattr(runner, action)()
    except (
        DataError,
        InputShapeError,
        CheckpointMismatchError,
        CheckpointError,
    ) as exc:
        raise ToolError(_data_error_line(exc)) from None
