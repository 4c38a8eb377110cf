# Copyright (c) mmvssm contributors. All rights reserved.
"""MSTA base-to-novel on the synthetic set: stock tools/train.py, then
tools/test.py printing base, novel and harmonic-mean accuracy."""

import os
import os.path as osp
import re

import pytest
import torch
from tiny_configs import run_tool

SYNTHETIC_B2N = osp.join(
    'configs',
    'msta',
    'msta_viclip-b16-r128-b8to12_1xb8-u8-5e_synthetic-motion-base2novel-rgb.py',
)
TINY_VISION = dict(
    patch_size=16, width=64, depth=2, num_heads=2, embed_dims=32
)
TINY_TEXT = dict(width=64, depth=2, num_heads=2, embed_dims=32)


def write_tiny_viclip(path: str) -> None:
    """A small ViCLIP .pth with ViCLIP's key names (random weights)."""
    from mmvssm.models.backbones import ViCLIPVisionTransformer
    from mmvssm.models.text import CLIPTextTransformer

    torch.manual_seed(0)
    vision = ViCLIPVisionTransformer(arch=TINY_VISION, img_size=32)
    text = CLIPTextTransformer(arch=TINY_TEXT, context_length=32)
    state = {f'vision_encoder.{k}': v for k, v in vision.state_dict().items()}
    state.update(
        {f'text_encoder.{k}': v for k, v in text.state_dict().items()}
    )
    state['temp'] = torch.tensor(0.01)
    torch.save({'model': state}, path)


def write_tiny_b2n_config(folder, base: str, epochs: int = 3) -> str:
    """The synthetic base-to-novel row on a tiny ViCLIP and a small set."""
    checkpoint = str(folder / 'ViCLIP-tiny.pth')
    write_tiny_viclip(checkpoint)
    render = dict(num_frames=8, resolution=32, fps=8, seed=0)
    data = str(folder / 'data')
    path = folder / 'tiny_b2n.py'
    path.write_text(
        f"""
_base_ = [{base!r}]
__ckpt = dict(checkpoint={checkpoint!r})
model = dict(
    backbone=dict(arch=dict(_delete_=True, **{TINY_VISION!r}),
                  img_size=32, init_cfg=__ckpt),
    cls_head=dict(in_channels=32, text_branch=dict(text_encoder=dict(
        arch=dict(_delete_=True, **{TINY_TEXT!r}), init_cfg=__ckpt))),
    adapter=dict(vision_width=64, text_width=64, dim=16, start_block=0,
                 end_block=2))
__render = {render!r}
train_dataloader = dict(batch_size=4, num_workers=0, dataset=dict(
    num_videos_per_class=8, data_root={data + '_base'!r}, **__render))
__part = dict(num_videos_per_class=4, **__render)
__b2n = dict(base=dict(__part, data_root={data + '_base'!r}),
             novel=dict(__part, data_root={data + '_novel'!r}))
val_dataloader = dict(batch_size=4, num_workers=0, dataset=__b2n)
test_dataloader = dict(batch_size=4, num_workers=0, dataset=__b2n)
max_epochs = {epochs}
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], T_max=max_epochs - 1, end=max_epochs),
]
default_hooks = dict(logger=dict(interval=1))
"""
    )
    return str(path)


@pytest.mark.slow
def test_base_to_novel_train_then_test_prints_base_novel_hm(
    tmp_path, repo_root, python
):
    config = write_tiny_b2n_config(
        tmp_path, osp.join(repo_root, SYNTHETIC_B2N)
    )
    work = str(tmp_path / 'work')
    result = run_tool(
        repo_root, python, 'tools/train.py', config, '--work-dir', work
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert 'loss_cc' in log and 'b2n/hm' in log
    best = [f for f in os.listdir(work) if f.startswith('best')]
    assert len(best) == 1, best
    ckpt = torch.load(
        osp.join(work, best[0]), map_location='cpu', weights_only=True
    )
    # Only the adapters are saved; no cached text embeddings.
    assert ckpt['state_dict'] and all(
        k.startswith('adapter.') for k in ckpt['state_dict']
    )

    # Resume from the adapters-only checkpoint for one more epoch.
    result = run_tool(
        repo_root,
        python,
        'tools/train.py',
        config,
        '--work-dir',
        work,
        '--resume',
        '--cfg-options',
        'train_cfg.max_epochs=4',
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert re.search(r'Epoch\(train\) +\[4\]', log)
    assert not re.search(r'Epoch\(train\) +\[1\]', log)
    assert 'missing keys' not in log

    result = run_tool(
        repo_root,
        python,
        'tools/test.py',
        config,
        osp.join(work, best[0]),
        '--work-dir',
        work,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    found = {
        key: float(value)
        for key, value in re.findall(
            r'b2n/(base_top1|novel_top1|hm): ([0-9.]+)', log
        )
    }
    assert set(found) == {'base_top1', 'novel_top1', 'hm'}, log[-2000:]
    base, novel = found['base_top1'], found['novel_top1']
    hm = 0.0 if base + novel == 0 else 2 * base * novel / (base + novel)
    assert found['hm'] == pytest.approx(hm, abs=1e-3)
    print(f'base {base:.4f} novel {novel:.4f} HM {found["hm"]:.4f}')
