# Copyright (c) mmvssm contributors. All rights reserved.
"""A ``CheckpointHook`` that survives a crash and resumes exactly.

Crash safety (local file systems): each checkpoint is written to a hidden
temporary file in the same folder, flushed to disk and renamed to its final
name (``os.replace`` is atomic), so a file under a checkpoint's name is
always complete. Then ``last_checkpoint`` is replaced the same way, and
only then are checkpoints beyond ``max_keep_ckpts`` deleted. A kill at any
point leaves a complete checkpoint to resume from. (mmengine's hook deletes
the old checkpoint first and writes the new one in place.)

Exact resume: the checkpoint also holds, as plain data (tensors, lists,
ints, strings, so it stays loadable with ``torch.load(weights_only=True)``),
the random states of python, numpy and torch (CUDA too), the seed, the
DataLoader workers' seeds and the sampler position. On resume they are put
back just before training continues, so drop path, Mixup and augmentations
in the main process draw the same numbers as in an uninterrupted run. The
training DataLoader gets a generator of its own, so creating its iterators
never moves the global torch RNG. Data augmentation in DataLoader workers
is made independent of the workers by mmvssm's ``DefaultSampler``: each
sample is augmented under a seed of its own (sampler seed, epoch, position
in the epoch), so a resumed run, with any ``num_workers`` and
``persistent_workers``, augments every sample as the uninterrupted one.
(With another sampler or dataset, workers repeat their draws exactly only
when resuming at an epoch boundary without persistent workers.) A
checkpoint taken in the middle of an epoch (``by_epoch=False``) resumes at
the next batch of that epoch instead of repeating the epoch from its start;
the validation runs between epochs leave the training's random state
untouched.
"""

import functools
import glob
import logging
import os
import os.path as osp
import random
from typing import Dict, Optional

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.logging import print_log

from mmvssm.registry import HOOKS

__all__ = ['SafeCheckpointHook', 'get_rng_state', 'set_rng_state']

_STATE_KEY = 'resume_state'


def get_rng_state() -> Dict:
    """The random states of python, numpy and torch, as plain data.

    Returns:
        dict: Lists, ints, floats, strings and tensors only.
    """
    version, internal, gauss = random.getstate()
    key, keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(
        python=[version, list(internal), gauss],
        numpy=dict(
            key=str(key),
            keys=torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            pos=int(pos),
            has_gauss=int(has_gauss),
            cached_gaussian=float(cached),
        ),
        torch=torch.get_rng_state(),
    )
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: Dict) -> None:
    """Restore what :func:`get_rng_state` returned."""
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    np_state = state['numpy']
    np.random.set_state(
        (
            np_state['key'],
            np_state['keys'].numpy().astype(np.uint32),
            np_state['pos'],
            np_state['has_gauss'],
            np_state['cached_gaussian'],
        )
    )
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(tmp: str, path: str) -> None:
    """Flush ``tmp`` to disk and rename it to ``path`` (atomic)."""
    _fsync(tmp)
    os.replace(tmp, path)
    try:
        _fsync(osp.dirname(path) or '.')  # the rename itself
    except OSError:
        pass  # some file systems cannot fsync folders


def write_text_atomically(path: str, text: str) -> None:
    tmp = osp.join(osp.dirname(path), f'.{osp.basename(path)}.tmp')
    with open(tmp, 'w') as f:
        f.write(text)
    replace_atomically(tmp, path)


def _worker_seeds(loader) -> Optional[list]:
    init_fn = getattr(loader, 'worker_init_fn', None)
    kwargs = getattr(init_fn, 'keywords', None) or {}
    if 'seed' not in kwargs or not loader.num_workers:
        return None
    n, rank = kwargs['num_workers'], kwargs['rank']
    return [n * rank + i + kwargs['seed'] for i in range(n)]


def _own_generator(runner) -> None:
    """Give the training DataLoader a generator of its own.

    Each DataLoader iterator draws its base seed from the loader's
    generator, by default the global torch RNG: once per epoch, or once per
    run with ``persistent_workers``, or not at all for the epoch a resumed
    run starts in the middle of. With a generator of its own, creating
    iterators never moves the global RNG (drop path, Mixup), so those draws
    are the same in a resumed and an uninterrupted run.
    """
    loader = runner.train_dataloader
    if getattr(loader, 'generator', False) is None:
        generator = torch.Generator()
        generator.manual_seed(int(runner.seed or 0))
        loader.generator = generator


def _skip_once(sampler, count: int) -> None:
    """Make the sampler's next epoch start ``count`` indices late.

    The DataLoader cannot be given another sampler once built, so the
    sampler object gets a subclass of its own class that drops the first
    ``count`` indices of one pass (and reports the shorter length).
    """
    base = type(sampler)

    class ResumedSampler(base):
        def __iter__(self):
            skip, self._mmvssm_skip = self._mmvssm_skip, 0
            it = super().__iter__()
            for _ in range(skip):
                next(it, None)
            return it

        def __len__(self):
            return super().__len__() - self._mmvssm_skip

    ResumedSampler.__name__ = ResumedSampler.__qualname__ = base.__name__
    sampler._mmvssm_skip = count
    sampler.__class__ = ResumedSampler


@HOOKS.register_module()
class SafeCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook``, crash-safe and resuming exactly.

    Takes exactly ``CheckpointHook``'s arguments. On a storage backend other
    than local files, saving falls back to mmengine's (not crash-safe).
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._resumed_state: Optional[Dict] = None
        self._state_before_val: Optional[Dict] = None

    # -- crash-safe saving ----------------------------------------------

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if is_main_process() and isinstance(self.file_backend, LocalBackend):
            # Temp files of a save that was killed: never complete.
            for stale in glob.glob(osp.join(self.out_dir, '.*.pth.tmp')):
                os.remove(stale)
        _own_generator(runner)
        self._restore(runner)

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        if not isinstance(self.file_backend, LocalBackend):
            return super()._save_checkpoint_with_step(runner, step, meta)
        outdated = []
        if self.max_keep_ckpts > 0 and not (
            self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step
        ):
            while len(self.keep_ckpt_ids) >= self.max_keep_ckpts:
                outdated.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info(
                'keep_ckpt_ids', list(self.keep_ckpt_ids)
            )
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        tmp_name = f'.{filename}.tmp'
        runner.save_checkpoint(
            self.out_dir,
            tmp_name,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args,
        )
        if not is_main_process():
            return
        # 1. the new checkpoint, complete; 2. the pointer; 3. clean-up.
        replace_atomically(osp.join(self.out_dir, tmp_name), self.last_ckpt)
        write_text_atomically(
            osp.join(runner.work_dir, 'last_checkpoint'), self.last_ckpt
        )
        for old in outdated:
            path = osp.join(self.out_dir, self.filename_tmpl.format(old))
            if path != self.last_ckpt and osp.isfile(path):
                os.remove(path)

    # -- exact resume -------------------------------------------------------

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        loader = runner.train_dataloader
        sampler = getattr(loader, 'sampler', None)
        checkpoint[_STATE_KEY] = dict(
            rng=get_rng_state(),
            seed=runner.seed,
            worker_seeds=_worker_seeds(loader),
            sampler=dict(
                type=type(sampler).__name__,
                seed=getattr(sampler, 'seed', None),
                epoch=int(runner.epoch),
                iter=int(runner.iter),
                batches_per_epoch=len(loader),
            ),
        )

    def before_val(self, runner) -> None:
        # Validation between epochs must not move the training's random
        # state: a resumed run does not repeat the validation before it.
        self._state_before_val = get_rng_state()

    def after_val(self, runner) -> None:
        state, self._state_before_val = self._state_before_val, None
        if state is not None:
            set_rng_state(state)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # Applied in before_train: mmengine re-seeds after this call.
        self._resumed_state = checkpoint.get(_STATE_KEY)

    def _restore(self, runner) -> None:
        state, self._resumed_state = self._resumed_state, None
        if state is None or not runner._resume:
            return
        loader = runner.train_dataloader
        sampler_state = state.get('sampler') or {}
        sampler = getattr(loader, 'sampler', None)
        seed = sampler_state.get('seed')
        if seed is not None and getattr(sampler, 'seed', seed) != seed:
            sampler.seed = seed  # the order of the resumed run's epochs
        init_fn = getattr(loader, 'worker_init_fn', None)
        if isinstance(init_fn, functools.partial) and state.get('seed'):
            if init_fn.keywords.get('seed') != state['seed']:
                loader.worker_init_fn = functools.partial(
                    init_fn.func, **{**init_fn.keywords, 'seed': state['seed']}
                )
        if state.get('worker_seeds') not in (None, _worker_seeds(loader)):
            print_log(
                f'DataLoader worker seeds differ from the resumed run '
                f'({state["worker_seeds"]} -> {_worker_seeds(loader)}; did '
                f'num_workers change?): augmentations will not repeat '
                f'exactly',
                logger='current',
                level=logging.WARNING,
            )
        per_epoch = sampler_state.get('batches_per_epoch')
        if per_epoch and per_epoch != len(loader):
            print_log(
                f'the resumed run had {per_epoch} batches per epoch, this '
                f'one has {len(loader)} (batch size or dataset changed)',
                logger='current',
                level=logging.WARNING,
            )
        done = runner.iter - runner.epoch * len(loader)
        if 0 < done < len(loader) and sampler is not None:
            _skip_once(sampler, done * loader.batch_size)
            print_log(
                f'resumed in the middle of epoch {runner.epoch + 1}: its '
                f'first {done} batches are skipped, not repeated',
                logger='current',
            )
        set_rng_state(state['rng'])
