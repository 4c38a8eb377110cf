# Copyright (c) mmvssm contributors. All rights reserved.
"""Masked pre-training then fine-tuning through the stock tools (slow).

The real configs on the full synthetic set: tools/misc/make_tiny_clip.py
writes the teacher, tools/train.py runs one epoch of masked pre-training,
then 5 epochs of fine-tuning from its checkpoint and 5 from scratch; the
pre-trained start must end ahead (measured: 37.5% vs 12.5% top-1).
A retrieval run on the synthetic captions prints R@1/5/10 both ways.
"""

import glob
import json
import os.path as osp

import pytest
from tiny_configs import run_tool

MASK = 'configs/videomamba_mask/'
PT = MASK + 'videomamba-mini_umt-pt_1xb8-u8-1e_synthetic-motion-rgb.py'
FT = MASK + 'videomamba-mini_umt-pt-ft_1xb8-u8-5e_synthetic-motion-rgb.py'
SCRATCH = MASK + 'videomamba-mini_scratch_1xb8-u8-5e_synthetic-motion-rgb.py'
RETRIEVAL = (
    'configs/videomamba_retrieval/'
    'videomamba-mini_tiny-clip-text_1xb8-u8-5e_synthetic-caption-rgb.py'
)


def _best_top1(work_dir: str) -> float:
    (scalars,) = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(scalars) as f:
        rows = [json.loads(line) for line in f]
    return max(r['acc/top1'] for r in rows if 'acc/top1' in r)


def _train(repo_root, python, config, work_dir, *options):
    args = ['tools/train.py', config, '--work-dir', work_dir]
    if options:
        args += ['--cfg-options', *options]
    result = run_tool(repo_root, python, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.slow
@pytest.mark.long
def test_pretrain_then_finetune_beats_scratch(tmp_path, repo_root, python):
    clip = str(tmp_path / 'tiny_clip.pth')
    r = run_tool(repo_root, python, 'tools/misc/make_tiny_clip.py', clip)
    assert r.returncode == 0, r.stderr
    pt_dir = str(tmp_path / 'pt')
    _train(
        repo_root,
        python,
        PT,
        pt_dir,
        f'model.teacher.init_cfg.checkpoint={clip}',
    )
    ckpt = osp.join(pt_dir, 'epoch_1.pth')
    assert osp.isfile(ckpt)
    ft_dir, scratch_dir = str(tmp_path / 'ft'), str(tmp_path / 'scratch')
    ft = _train(repo_root, python, FT, ft_dir, f'load_from={ckpt}')
    assert 'Load checkpoint from' in ft.stdout + ft.stderr
    _train(repo_root, python, SCRATCH, scratch_dir)
    assert _best_top1(ft_dir) > _best_top1(scratch_dir)


@pytest.mark.slow
@pytest.mark.long
def test_synthetic_retrieval_prints_both_ways(tmp_path, repo_root, python):
    clip = str(tmp_path / 'tiny_clip.pth')
    r = run_tool(repo_root, python, 'tools/misc/make_tiny_clip.py', clip)
    assert r.returncode == 0, r.stderr
    work = str(tmp_path / 'work')
    _train(
        repo_root,
        python,
        RETRIEVAL,
        work,
        f'model.text_encoder.init_cfg.checkpoint={clip}',
    )
    (ckpt,) = glob.glob(osp.join(work, 'best_*.pth'))
    result = run_tool(
        repo_root,
        python,
        'tools/test.py',
        RETRIEVAL,
        ckpt,
        '--work-dir',
        work,
        '--cfg-options',
        f'model.text_encoder.init_cfg.checkpoint={clip}',
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout + result.stderr
    for key in (
        't2v_R@1',
        't2v_R@5',
        't2v_R@10',
        'v2t_R@1',
        'v2t_R@5',
        'v2t_R@10',
        't2v_MdR',
        'v2t_MdR',
    ):
        assert f'retrieval/{key}' in out
