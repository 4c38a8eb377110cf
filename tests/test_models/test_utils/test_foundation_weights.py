# Copyright (c) mmvssm contributors. All rights reserved.
import pytest
import torch

from mmvssm.models.utils import (
    FoundationWeightsError,
    load_foundation_state_dict,
    pretrained_checkpoint,
    select_prefixed,
)


@pytest.mark.parametrize(
    'wrap',
    [
        lambda sd: sd,
        lambda sd: {'state_dict': sd, 'epoch': 3},
        lambda sd: {'model': sd},  # ViCLIP's .pth
        lambda sd: {'state_dict': {f'module.{k}': v for k, v in sd.items()}},
    ],
)
def test_unwraps_common_containers(tmp_path, wrap):
    sd = {'visual.proj': torch.randn(4, 2), 'logit_scale': torch.tensor(4.6)}
    path = tmp_path / 'w.pth'
    torch.save(wrap(sd), str(path))
    out = load_foundation_state_dict(str(path), 'test weights')
    assert set(out) == set(sd)
    assert torch.equal(out['visual.proj'], sd['visual.proj'])


def test_errors_are_one_line(tmp_path):
    missing = str(tmp_path / 'checkpoints' / 'ViT-B-16.pt')
    with pytest.raises(FoundationWeightsError) as err:
        load_foundation_state_dict(missing, 'CLIP weights', 'get ViT-B-16.pt')
    assert str(err.value).count('\n') == 0
    assert missing in str(err.value) and 'get ViT-B-16.pt' in str(err.value)
    # SystemExit-based: the tools print it without a traceback.
    assert isinstance(err.value, SystemExit)

    broken = tmp_path / 'broken.pth'
    broken.write_bytes(b'\x80\x04garbage')
    with pytest.raises(FoundationWeightsError, match='cannot be read'):
        load_foundation_state_dict(str(broken), 'CLIP weights')
    empty = tmp_path / 'empty.pth'
    torch.save({'epoch': 1}, str(empty))
    with pytest.raises(FoundationWeightsError, match='no tensors'):
        load_foundation_state_dict(str(empty), 'CLIP weights')


def test_helpers():
    sd = {'a.x': 1, 'a.y': 2, 'b.z': 3}
    assert select_prefixed(sd, ('c.', 'a.')) == {'x': 1, 'y': 2}
    assert select_prefixed(sd, ('c.',)) is None
    assert pretrained_checkpoint(None) is None
    cfg = [dict(type='Normal'), dict(type='Pretrained', checkpoint='w.pt')]
    assert pretrained_checkpoint(cfg) == 'w.pt'
