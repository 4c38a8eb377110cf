# Copyright (c) mmvssm contributors. All rights reserved.
"""tools/deployment/export.py: exported files give the demo's scores."""

import importlib.util
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from tiny_configs import run_tool, write_tiny_config

from mmvssm.apis import inference_recognizer, init_recognizer
from mmvssm.datasets.motion_render import SYNTHETIC_MOTION_CLASSES
from mmvssm.registry import DATASETS

MAIN_JOB = osp.join(
    'configs',
    'videomamba',
    'videomamba-mini_scratch_1xb8-u8-30e_synthetic-motion-rgb.py',
)
EXPORT = osp.join('tools', 'deployment', 'export.py')


@pytest.fixture(scope='module')
def assets(tmp_path_factory, repo_root):
    """The main job's model cut to one block, a checkpoint and a video."""
    folder = tmp_path_factory.mktemp('export')
    config = write_tiny_config(
        folder,
        osp.join(repo_root, MAIN_JOB),
        extra='model = dict(backbone=dict(arch=dict(num_layers=1)))',
    )
    cfg = Config.fromfile(config)
    init_default_scope('mmvssm')
    dataset = DATASETS.build(cfg.val_dataloader.dataset)
    video = dataset.get_data_info(0)['filename']
    torch.manual_seed(0)
    model = init_recognizer(config)
    checkpoint = str(folder / 'tiny.pth')
    torch.save(
        dict(
            state_dict=model.state_dict(),
            meta=dict(
                dataset_meta=dict(classes=list(SYNTHETIC_MOTION_CLASSES))
            ),
        ),
        checkpoint,
    )
    return dict(config=config, checkpoint=checkpoint, video=video)


def _export(assets, repo_root, python, out_dir, *formats):
    result = run_tool(
        repo_root,
        python,
        EXPORT,
        assets['config'],
        assets['checkpoint'],
        '--out-dir',
        str(out_dir),
        '--video',
        assets['video'],
        '--name',
        'tiny',
        '--format',
        *formats,
    )
    assert result.returncode == 0, (
        result.stdout[-2000:] + result.stderr[-3000:]
    )
    for fmt in formats:
        (line,) = [
            ln
            for ln in result.stdout.splitlines()
            if ln.startswith(f'{fmt}: ') and 'max|' in ln
        ]
        diff = float(re.search(r'eager\| = (\S+)', line).group(1))
        assert diff <= 1e-4 and line.endswith('OK'), line
    return result


def _demo_scores(assets):
    model = init_recognizer(assets['config'], assets['checkpoint'])
    return inference_recognizer(model, assets['video']).pred_score


def _clip(assets):
    """The video's clip as the export takes it: (1, C, T, H, W) pixels."""
    from mmengine.dataset import Compose

    cfg = Config.fromfile(assets['config'])
    data = Compose(cfg.test_pipeline)(
        dict(filename=assets['video'], label=-1, start_index=0)
    )
    return data['inputs'].float()[:1]


def test_export_and_torchscript_give_the_demo_scores(
    assets, tmp_path, repo_root, python
):
    _export(assets, repo_root, python, tmp_path, 'export', 'torchscript')
    expected = _demo_scores(assets)
    clip = _clip(assets)
    program = torch.export.load(str(tmp_path / 'tiny.pt2')).module()
    # The saved program runs with autograd on and at another batch size.
    got = program(clip.expand(3, -1, -1, -1, -1))
    assert got.shape == (3, len(SYNTHETIC_MOTION_CLASSES))
    torch.testing.assert_close(got[0].detach(), expected, atol=1e-5, rtol=0)
    traced = torch.jit.load(str(tmp_path / 'tiny.torchscript.pt'))
    with torch.no_grad():  # traced at the example's batch size, 2
        got = traced(clip.expand(2, -1, -1, -1, -1))
    torch.testing.assert_close(got[1], expected, atol=1e-5, rtol=0)


@pytest.mark.slow
@pytest.mark.skipif(
    any(
        importlib.util.find_spec(p) is None
        for p in ('onnx', 'onnxscript', 'onnxruntime')
    ),
    reason='needs onnx, onnxscript and onnxruntime',
)
def test_onnx_gives_the_demo_scores(assets, tmp_path, repo_root, python):
    import onnxruntime as ort

    _export(assets, repo_root, python, tmp_path, 'onnx')
    session = ort.InferenceSession(
        str(tmp_path / 'tiny.onnx'), providers=['CPUExecutionProvider']
    )
    clip = _clip(assets)
    (got,) = session.run(
        None, {'inputs': clip.expand(2, -1, -1, -1, -1).numpy()}
    )
    expected = _demo_scores(assets)
    torch.testing.assert_close(
        torch.from_numpy(got[1]), expected, atol=1e-5, rtol=0
    )


@pytest.mark.parametrize(
    'bad, message',
    [
        ('checkpoint', 'checkpoint'),
        ('video', 'video'),
        ('config', 'config'),
    ],
)
def test_errors_are_one_line(
    assets, tmp_path, repo_root, python, bad, message
):
    args = [assets['config'], assets['checkpoint'], '--out-dir', str(tmp_path)]
    if bad == 'checkpoint':
        args[1] = str(tmp_path / 'missing.pth')
    elif bad == 'video':
        args += ['--video', str(tmp_path / 'missing.mp4')]
    else:
        args[0] = str(tmp_path / 'missing.py')
    result = run_tool(repo_root, python, EXPORT, *args)
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr, result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith('error:') and message in last, last
