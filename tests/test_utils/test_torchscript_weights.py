# Copyright (c) mmvssm contributors. All rights reserved.
import pickle
import zipfile

import pytest
import torch
from torch import nn

from mmvssm.utils.torchscript_weights import (
    TorchScriptReadError,
    is_torchscript_archive,
    read_torchscript_state_dict,
)


class _ClipLike(nn.Module):
    """Nested modules, a parameter, a buffer and a half-precision tensor."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 4, stride=4, bias=False)
        self.blocks = nn.Sequential(nn.LayerNorm(8), nn.Linear(8, 8))
        self.proj = nn.Parameter(torch.randn(8, 4).half())
        self.register_buffer('scale', torch.tensor([2.0]))

    def forward(self, x):
        x = self.conv1(x).flatten(2).transpose(1, 2)
        return self.blocks(x) @ self.proj.float() * self.scale


def _assert_same_state(read, module):
    ref = module.state_dict()
    assert set(read) == set(ref)
    for k, v in ref.items():
        assert read[k].dtype == v.dtype, k
        assert torch.equal(read[k], v), k


@pytest.mark.parametrize('mode', ['trace', 'script'])
def test_reads_jit_saved_module(tmp_path, mode):
    torch.manual_seed(0)
    model = _ClipLike().eval()
    if mode == 'trace':
        jit = torch.jit.trace(model, torch.randn(1, 3, 8, 8))
    else:
        jit = torch.jit.script(model)
    path = tmp_path / 'model.pt'
    torch.jit.save(jit, str(path))
    assert is_torchscript_archive(str(path))
    _assert_same_state(read_torchscript_state_dict(str(path)), model)


def test_plain_torch_save_is_not_an_archive(tmp_path):
    path = tmp_path / 'sd.pth'
    torch.save({'w': torch.ones(2)}, str(path))
    assert not is_torchscript_archive(str(path))
    with pytest.raises(TorchScriptReadError, match='not a module'):
        read_torchscript_state_dict(str(path))
    text = tmp_path / 'x.pt'
    text.write_text('not a zip')
    assert not is_torchscript_archive(str(text))
    with pytest.raises(TorchScriptReadError, match='not a zip'):
        read_torchscript_state_dict(str(text))


def _hostile_archive(tmp_path, payload: bytes):
    """A valid TorchScript archive whose data.pkl is replaced."""
    good = tmp_path / 'good.pt'
    torch.jit.save(torch.jit.script(nn.Linear(2, 2)), str(good))
    bad = tmp_path / 'evil.pt'
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, 'w') as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith('/data.pkl'):
                data = payload
            dst.writestr(item, data)
    return bad


@pytest.mark.parametrize(
    'module,name',
    [('os', 'system'), ('builtins', 'eval'), ('posix', 'system')],
)
def test_hostile_global_is_refused_and_not_run(tmp_path, module, name):
    marker = tmp_path / 'marker'
    if name == 'eval':
        arg = f"open({str(marker)!r}, 'w').close()"
    else:
        arg = f'touch {marker}'
    # GLOBAL module name, then call it with (arg,): plain pickle protocol 0.
    payload = f'c{module}\n{name}\n(V{arg}\ntR.'.encode()
    path = _hostile_archive(tmp_path, payload)
    assert is_torchscript_archive(str(path))
    with pytest.raises(TorchScriptReadError) as err:
        read_torchscript_state_dict(str(path))
    message = str(err.value)
    assert f'{module}.{name}' in message and str(path) in message
    assert '\n' not in message
    assert not marker.exists()


def test_hostile_global_inside_module_state_is_refused(tmp_path):
    # A __torch__ module whose state hides a getattr call.
    class Evil:
        def __reduce__(self):
            return (getattr, (object, '__subclasses__'))

    payload = pickle.dumps({'weight': Evil()}, protocol=2)
    payload = b'\x80\x02c__torch__\nM\n)\x81' + payload[2:-1] + b'b.'
    path = _hostile_archive(tmp_path, payload)
    with pytest.raises(TorchScriptReadError, match=r'builtin__?\.getattr'):
        read_torchscript_state_dict(str(path))
