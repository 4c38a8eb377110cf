# Copyright (c) mmvssm contributors. All rights reserved.
"""What ``tools/train.py`` and ``tools/test.py`` share.

The command-line surface is mmaction2's; on top of it the tools check the
config path up front, choose the gloo backend when a distributed run starts
on a machine without CUDA, and turn known misuse into one-line errors.
"""

import argparse
import contextlib
import os
import os.path as osp
from typing import Callable, Optional

from mmengine.config import Config, DictAction

__all__ = [
    'add_common_args',
    'load_config',
    'resolve_work_dir',
    'prepare_distributed',
    'build_runner',
    'prepare_runner',
    'ToolError',
    'one_line_errors',
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
    cfg = load_config(args.config, args.launcher, args.local_rank)
    cfg = merge_args(cfg, args)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    prepare_distributed(cfg)
    return build_runner(cfg)


@contextlib.contextmanager
def one_line_errors():
    """Turn the errors mmvssm words for users into one-line tool errors.

    A refused or broken checkpoint (:class:`mmvssm.utils.checkpoint.
    CheckpointError`) is raised deep inside the runner; its message already
    says what was wrong and what to do, so the tool prints just that.
    """
    from .checkpoint import CheckpointError

    try:
        yield
    except CheckpointError as err:
        raise ToolError(str(err)) from None
