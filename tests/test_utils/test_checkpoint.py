# Copyright (c) mmvssm contributors. All rights reserved.
"""The checkpoint loader: weights-only, restricted runner state, refusals.

Every hostile file of :mod:`hostile_checkpoints` is checked to run its
payload when unpickled in full (so the refusals below are not vacuous), then
to be refused with nothing executed by each of the loading paths mmengine's
runner takes: ``init_cfg=Pretrained`` (``load_checkpoint``), ``load_from``
and ``tools/test.py`` (``Runner.load_or_resume`` without resume) and
``--resume``.
"""

import copyreg
import os
import os.path as osp
from collections import OrderedDict

import hostile_checkpoints as hostile
import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.model import BaseModule
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from mmvssm.utils.checkpoint import (
    TRUSTED_CHECKPOINTS_ENV,
    CheckpointNotFoundError,
    CorruptCheckpointError,
    UnsafeCheckpointError,
    load_checkpoint_file,
)

MARKER = 'payload_ran'
PAYLOAD_NAMES = sorted(hostile.payloads(MARKER))


@pytest.fixture
def marker(tmp_path) -> str:
    return str(tmp_path / MARKER)


def _write(tmp_path, name: str, marker: str, location: str = 'meta') -> str:
    path = str(tmp_path / 'hostile.pth')
    return hostile.write_hostile(
        path, hostile.payloads(marker)[name], location
    )


@pytest.mark.parametrize('name', PAYLOAD_NAMES)
def test_payload_runs_when_unpickled_in_full(tmp_path, marker, name):
    """The test files are real attacks: full unpickling runs them."""
    path = _write(tmp_path, name, marker)
    try:
        torch.load(path, weights_only=False)
    except Exception:  # the payload has run by the time anything fails
        pass
    assert osp.exists(marker)


@pytest.mark.parametrize('location', hostile.LOCATIONS)
@pytest.mark.parametrize('name', PAYLOAD_NAMES)
def test_every_payload_refused_everywhere_in_the_file(
    tmp_path, marker, name, location
):
    path = _write(tmp_path, name, marker, location)
    with pytest.raises(UnsafeCheckpointError) as info:
        _load_checkpoint(path, map_location='cpu')  # mmengine's door
    assert not osp.exists(marker)
    message = str(info.value)
    assert '\n' not in message
    assert repr(path) in message and TRUSTED_CHECKPOINTS_ENV in message


class _Tiny(BaseModule):
    def __init__(self, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.weight = torch.nn.Parameter(torch.zeros(2))


@pytest.fixture(scope='module')
def runner(tmp_path_factory):
    return Runner(
        model=_Tiny(),
        work_dir=str(tmp_path_factory.mktemp('runner')),
        experiment_name='hostile_paths',
    )


def _init_cfg_path(runner, path):
    model = _Tiny(init_cfg=dict(type='Pretrained', checkpoint=path))
    model.init_weights()


def _load_from_path(runner, path):  # also what tools/test.py does
    runner._load_from, runner._resume = path, False
    runner._has_loaded = False
    runner.load_or_resume()


def _resume_path(runner, path):
    runner._load_from, runner._resume = path, True
    runner._has_loaded = False
    runner.load_or_resume()


PATHS = dict(
    init_cfg=_init_cfg_path, load_from=_load_from_path, resume=_resume_path
)


@pytest.mark.parametrize('path_name', sorted(PATHS))
@pytest.mark.parametrize('name', PAYLOAD_NAMES)
def test_every_payload_refused_on_every_path(
    tmp_path, marker, runner, name, path_name
):
    path = _write(tmp_path, name, marker)
    with pytest.raises(UnsafeCheckpointError, match='refusing to load'):
        PATHS[path_name](runner, path)
    assert not osp.exists(marker)


@pytest.mark.parametrize('path_name', sorted(PATHS))
def test_edited_zip_refused(tmp_path, marker, runner, path_name):
    path = hostile.write_edited_zip(str(tmp_path / 'edited.pth'), marker)
    with pytest.raises(UnsafeCheckpointError, match='posix.system'):
        PATHS[path_name](runner, path)
    assert not osp.exists(marker)


@pytest.mark.parametrize(
    'content', [b'', b'not a checkpoint at all', b'PK\x03\x04broken']
)
def test_broken_file_is_one_line_error(tmp_path, content):
    path = tmp_path / 'broken.pth'
    path.write_bytes(content)
    with pytest.raises(CorruptCheckpointError) as info:
        load_checkpoint_file(str(path))
    assert '\n' not in str(info.value)
    assert 'download or save it again' in str(info.value)


def test_truncated_checkpoint_is_one_line_error(tmp_path):
    path = tmp_path / 'cut.pth'
    torch.save({'weight': torch.randn(1000)}, path)
    path.write_bytes(path.read_bytes()[:3000])
    with pytest.raises(CorruptCheckpointError):
        load_checkpoint_file(str(path))


def test_missing_file(tmp_path):
    missing = str(tmp_path / 'nothing.pth')
    with pytest.raises(CheckpointNotFoundError, match='does not exist'):
        load_checkpoint_file(missing)
    with pytest.raises(FileNotFoundError):  # mmengine's contract kept
        _load_checkpoint(missing)


def test_trusted_file_is_unpickled_in_full(tmp_path, marker, monkeypatch):
    path = _write(tmp_path, 'os.system', marker)
    monkeypatch.setenv(TRUSTED_CHECKPOINTS_ENV, str(tmp_path / 'other.pth'))
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint_file(path)
    monkeypatch.setenv(
        TRUSTED_CHECKPOINTS_ENV, os.pathsep.join(['x.pth', path])
    )
    load_checkpoint_file(path)
    assert osp.exists(marker)  # the user asked for it


def test_model_weights_load_with_nothing_allowed(tmp_path):
    path = str(tmp_path / 'weights.pth')
    weights = OrderedDict(weight=torch.randn(3, 4), bias=torch.arange(3))
    torch.save({'model': weights}, path)
    before = list(torch.serialization.get_safe_globals())
    loaded = load_checkpoint_file(path)
    after = list(torch.serialization.get_safe_globals())
    assert after == before  # mmvssm adds nothing, for good or for a while
    assert getattr not in after and HistoryBuffer not in after
    assert all(torch.equal(loaded['model'][k], weights[k]) for k in weights)


def _hub_state() -> dict:
    hub = MessageHub.get_instance('test_checkpoint_hub')
    for value in (0.5, 0.25, np.float64(0.125)):
        hub.update_scalar('train/loss', value)
    hub.update_scalar('train/lr', 0.01)
    hub.update_info('epoch', 2)
    hub.update_info('best_score', np.float64(0.75))
    return hub.state_dict()


def test_written_checkpoints_load_weights_only(tmp_path):
    """What mmvssm's runner writes needs no allow-list at all."""
    path = str(tmp_path / 'epoch_2.pth')
    torch.save(dict(meta=dict(epoch=2), message_hub=_hub_state()), path)
    plain = torch.load(path, weights_only=True)  # nothing added
    restored = MessageHub.get_instance('test_checkpoint_restored')
    restored.load_state_dict(plain['message_hub'])
    loss = restored.get_scalar('train/loss')
    assert isinstance(loss, HistoryBuffer)
    assert loss.mean() == pytest.approx((0.5 + 0.25 + 0.125) / 3)
    assert loss.current() == pytest.approx(0.125)
    assert restored.get_info('best_score') == 0.75


def _old_buffer(state: dict) -> HistoryBuffer:
    """A HistoryBuffer that pickles as mmengine 0.10.7 does, with ``state``.

    (mmengine's own ``__getstate__`` writes the class's statistic methods as
    ``getattr(HistoryBuffer, name)``; the state here says the same, or what
    an attacker would put there instead.)
    """
    buffer = HistoryBuffer()
    buffer.__reduce_ex__ = lambda protocol: (
        copyreg.__newobj__,
        (HistoryBuffer,),
        state,
    )
    return buffer


def _old_buffer_state(**changes) -> dict:
    state = dict(
        max_length=1000000,
        _log_history=np.array([0.5, 0.25]),
        _count_history=np.array([1, 1]),
        statistics_methods={
            n: hostile.Call(getattr, HistoryBuffer, n)
            for n in ('min', 'max', 'current', 'mean')
        },
    )
    state.update(changes)
    return state


def _old_checkpoint(path, **changes) -> str:
    hub = dict(
        log_scalars=OrderedDict(
            loss=_old_buffer(_old_buffer_state(**changes))
        ),
        runtime_info=OrderedDict(epoch=2),
        resumed_keys=OrderedDict(loss=True, epoch=True),
    )
    meta = dict(epoch=2, seed=np.int64(7), score=np.float32(0.5))
    torch.save(dict(meta=meta, message_hub=hub), path)
    return path


def test_old_runner_checkpoint_loads_restricted(tmp_path):
    path = _old_checkpoint(str(tmp_path / 'old.pth'))
    with pytest.raises(Exception, match='Weights only load failed'):
        torch.load(path, weights_only=True)
    methods = dict(HistoryBuffer._statistics_methods)
    loaded = _load_checkpoint(path, map_location='cpu')
    buffer = loaded['message_hub']['log_scalars']['loss']
    assert type(buffer) is HistoryBuffer
    assert buffer.mean() == pytest.approx(0.375)
    assert loaded['meta']['seed'] == 7 and loaded['meta']['score'] == 0.5
    assert HistoryBuffer._statistics_methods == methods
    assert not any(
        isinstance(g, tuple) for g in torch.serialization.get_safe_globals()
    )  # the restricted stand-ins were allowed for that one load only


@pytest.mark.parametrize(
    'statistic',
    [
        hostile.Call(getattr, HistoryBuffer, '__init__'),
        hostile.Call(getattr, getattr, '__self__'),
    ],
)
def test_old_runner_checkpoint_other_lookups_refused(tmp_path, statistic):
    path = _old_checkpoint(
        str(tmp_path / 'old.pth'), statistics_methods={'mean': statistic}
    )
    methods = dict(HistoryBuffer._statistics_methods)
    with pytest.raises(UnsafeCheckpointError, match='getattr'):
        _load_checkpoint(path, map_location='cpu')
    assert HistoryBuffer._statistics_methods == methods


def test_old_runner_checkpoint_hostile_statistics_never_registered(
    tmp_path, marker
):
    """A buffer's pickled methods never reach mmengine's class registry."""
    payload = hostile.payloads(marker)['getattr-chain']
    path = _old_checkpoint(
        str(tmp_path / 'old.pth'), statistics_methods={'mean': payload}
    )
    with pytest.raises(UnsafeCheckpointError):
        _load_checkpoint(path, map_location='cpu')
    assert not osp.exists(marker)
    assert HistoryBuffer._statistics_methods['mean'] is HistoryBuffer.mean


@pytest.mark.parametrize(
    'changes',
    [
        dict(_log_history=np.array(['a', 'b'])),
        dict(_log_history=np.array([1.0, 2.0, 3.0])),
        dict(max_length='1000'),
        dict(_count_history=[1, 1]),
    ],
)
def test_old_runner_checkpoint_bad_buffer_is_corrupt(tmp_path, changes):
    path = _old_checkpoint(str(tmp_path / 'old.pth'), **changes)
    with pytest.raises(CorruptCheckpointError, match='message-hub buffer'):
        _load_checkpoint(path, map_location='cpu')
