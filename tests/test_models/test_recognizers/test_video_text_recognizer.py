# Copyright (c) mmvssm contributors. All rights reserved.
"""The CLIP video-text recognizer: numerics, runner and tools end to end."""

import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from clip_helpers import TINY_TEXT, TINY_VISION, build_open_clip, save_traced

from mmvssm.models.text import ACTIONCLIP_TEMPLATES
from mmvssm.models.utils import FoundationWeightsError
from mmvssm.registry import MODELS

SYNTHETIC = 'configs/clip/clip-vit-b16_zero-shot_synthetic-motion-rgb.py'
VICLIP_SYNTHETIC = 'configs/clip/viclip-b16_zero-shot_synthetic-motion-rgb.py'
PROBE = (
    'configs/clip/clip-vit-b16_proj-probe_1xb8-u8-5e_synthetic-motion-rgb.py'
)
CLASSES = ['moving left', 'moving right', 'approaching', 'receding']


@pytest.fixture(autouse=True)
def mmvssm_scope():
    from mmengine.registry import init_default_scope

    init_default_scope('mmvssm')


@pytest.fixture(scope='module')
def clip_files(tmp_path_factory):
    """A tiny CLIP written as OpenAI does (a traced TorchScript archive)."""
    folder = tmp_path_factory.mktemp('tiny_clip')
    torch.manual_seed(0)
    model = build_open_clip(image_size=32)
    path = str(folder / 'ViT-tiny.pt')
    save_traced(model, path, 32)
    return model, path, folder


def _model_cfg(checkpoint, class_names=CLASSES, **kwargs):
    init_cfg = dict(type='Pretrained', checkpoint=checkpoint)
    return dict(
        type='VideoTextRecognizer',
        backbone=dict(
            type='CLIPVisionTransformer',
            arch=TINY_VISION,
            img_size=32,
            out_type='video',
            init_cfg=init_cfg,
        ),
        cls_head=dict(
            type='TextSimilarityHead',
            in_channels=32,
            average_clips='prob',
            text_branch=dict(
                type='PromptTextBranch',
                class_names=class_names,
                templates='actionclip',
                text_encoder=dict(
                    type='CLIPTextTransformer',
                    arch=TINY_TEXT,
                    init_cfg=init_cfg,
                ),
            ),
        ),
        data_preprocessor=dict(
            type='ActionDataPreprocessor',
            mean=[122.771, 116.746, 104.093],
            std=[68.500, 66.632, 70.323],
            format_shape='NCTHW',
        ),
        **kwargs,
    )


def test_predictions_equal_open_clip_zero_shot(clip_files):
    import open_clip
    from mmaction.structures import ActionDataSample

    ref, path, _ = clip_files
    model = MODELS.build(_model_cfg(path))
    model.init_weights()  # as tools/train.py does: keeps the loaded weights
    model.eval()
    assert not any(p.requires_grad for p in model.parameters())
    # 2 videos x 3 views x (3, 4 frames, 32, 32), already normalised.
    inputs = torch.randn(2, 3, 3, 4, 32, 32)
    samples = [ActionDataSample().set_gt_label(i) for i in range(2)]
    with torch.no_grad():
        out = model(inputs, samples, mode='predict')
        # Reference: open_clip, ActionCLIP prompts, CLIP's zero-shot recipe.
        frames = inputs.flatten(0, 1).transpose(1, 2).flatten(0, 1)
        video = ref.encode_image(frames).reshape(6, 4, -1).mean(1)
        video = F.normalize(video, dim=-1)
        text = torch.stack(
            [
                F.normalize(
                    ref.encode_text(
                        open_clip.tokenize(
                            [t.format(c) for t in ACTIONCLIP_TEMPLATES]
                        )
                    ),
                    dim=-1,
                ).mean(0)
                for c in CLASSES
            ]
        )
        text = F.normalize(text, dim=-1)
        logits = ref.logit_scale.exp() * video @ text.t()
        expected = logits.softmax(-1).reshape(2, 3, -1).mean(1)
    scores = torch.stack([s.pred_score for s in out])
    torch.testing.assert_close(scores, expected, atol=1e-5, rtol=0)
    assert [int(s.pred_label) for s in out] == expected.argmax(-1).tolist()
    # The text embeddings are cached and not part of the state dict.
    head = model.cls_head
    assert head.text_branch.cached_embeddings is not None
    assert not any('cached' in k for k in model.state_dict())
    assert float(head.logit_scale) == pytest.approx(
        float(ref.logit_scale.exp())
    )


def test_cache_refreshes_after_loading_weights(clip_files):
    _, path, _ = clip_files
    model = MODELS.build(_model_cfg(path)).eval()
    branch = model.cls_head.text_branch
    before = branch().clone()
    state = model.state_dict()
    state['cls_head.text_branch.text_encoder.text_projection'] *= -1
    model.load_state_dict(state)
    torch.testing.assert_close(branch(), -before, atol=1e-5, rtol=0)


def _tiny_loader(folder) -> dict:
    """A data loader over 1 rendered 8-frame 32x32 video per class."""
    render = dict(
        data_root=str(folder / 'data'),
        num_frames=8,
        resolution=32,
        fps=8,
        seed=0,
    )
    return dict(
        batch_size=4,
        num_workers=0,
        dataset=dict(num_videos_per_class=1, **render),
    )


def _tiny_config(folder, checkpoint, base, **extra) -> str:
    loader = _tiny_loader(folder)
    lines = [
        f'_base_ = [{osp.abspath(base)!r}]',
        f'ckpt = {checkpoint!r}',
        'model = dict(',
        f'    backbone=dict(arch=dict(_delete_=True, **{TINY_VISION!r}),',
        '                  img_size=32, init_cfg=dict(checkpoint=ckpt)),',
        '    cls_head=dict(in_channels=32, text_branch=dict(',
        '        text_encoder=dict(',
        f'        arch=dict(_delete_=True, **{TINY_TEXT!r}),',
        '        init_cfg=dict(checkpoint=ckpt)))))',
        f'test_dataloader = {loader!r}',
    ]
    lines += [f'{k} = {v!r}' for k, v in extra.items()]
    path = folder / f'tiny_{osp.basename(base)}'
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def test_synthetic_zero_shot_config_through_the_runner(clip_files, tmp_path):
    from mmengine.config import Config
    from mmengine.runner import Runner

    _, path, folder = clip_files
    cfg = Config.fromfile(_tiny_config(folder, path, SYNTHETIC))
    cfg.work_dir = str(tmp_path / 'work')
    metrics = Runner.from_cfg(cfg).test()
    assert set(metrics) >= {'acc/top1', 'acc/top5'}
    assert 0.0 <= metrics['acc/top1'] <= 1.0

    cfg = Config.fromfile(
        _tiny_config(
            folder, str(tmp_path / 'checkpoints/ViT-B-16.pt'), SYNTHETIC
        )
    )
    cfg.work_dir = str(tmp_path / 'work2')
    with pytest.raises(FoundationWeightsError) as err:
        Runner.from_cfg(cfg)
    assert 'checkpoints/ViT-B-16.pt' in str(err.value)
    assert '\n' not in str(err.value)


def test_viclip_synthetic_zero_shot_config_through_the_runner(tmp_path):
    from mmengine.config import Config
    from mmengine.runner import Runner

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
    path = str(tmp_path / 'ViCLIP-tiny.pth')
    torch.save({'model': state}, path)
    cfg = Config.fromfile(_tiny_config(tmp_path, path, VICLIP_SYNTHETIC))
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    head = runner.model.cls_head
    assert float(head.logit_scale) == pytest.approx(100.0)
    assert head.text_branch.text_encoder.context_length == 32
    metrics = runner.test()
    assert 0.0 <= metrics['acc/top1'] <= 1.0


def _run(args, cwd):
    result = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, 'PYTHONUNBUFFERED': '1'},
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
def test_tools_probe_train_resume_test_with_trainable_only_checkpoints(
    clip_files, tmp_path, repo_root
):
    _, path, folder = clip_files
    config = _tiny_config(
        folder,
        path,
        PROBE,
        train_dataloader=_tiny_loader(folder),
        val_dataloader=_tiny_loader(folder),
        train_cfg=dict(max_epochs=2, val_interval=1),
    )
    work = str(tmp_path / 'work')

    def test_tool(config):
        checkpoint = osp.join(work, 'epoch_3.pth')
        return _run(
            ['tools/test.py', config, checkpoint, '--work-dir', work],
            repo_root,
        )

    rc, log = _run(['tools/train.py', config, '--work-dir', work], repo_root)
    assert rc == 0, log[-3000:]
    ckpt = torch.load(
        osp.join(work, 'epoch_2.pth'), map_location='cpu', weights_only=True
    )
    # Only the trainable projection is saved, not the frozen encoder.
    assert list(ckpt['state_dict']) == ['backbone.proj']

    rc, log = _run(
        [
            'tools/train.py',
            config,
            '--work-dir',
            work,
            '--resume',
            '--cfg-options',
            'train_cfg.max_epochs=3',
        ],
        repo_root,
    )
    assert rc == 0, log[-3000:]
    assert re.search(r'Epoch\(train\) +\[3\]', log)
    assert not re.search(r'Epoch\(train\) +\[1\]', log)
    assert 'missing keys' not in log

    rc, log = test_tool(config)
    assert rc == 0, log[-3000:]
    assert 'acc/top1' in log and 'missing keys' not in log

    # Zero-shot: `tools/test.py CONFIG` with no trained checkpoint, the
    # foundation weights coming from init_cfg.
    zero_shot = ['tools/test.py', _tiny_config(folder, path, SYNTHETIC)]
    rc, log = _run([*zero_shot, '--work-dir', work], repo_root)
    assert rc == 0, log[-3000:]
    assert 'acc/top1' in log

    # Without the foundation weights the tools print one line.
    missing = str(tmp_path / 'checkpoints' / 'ViT-B-16.pt')
    config = _tiny_config(tmp_path, missing, SYNTHETIC)
    rc, log = _run(['tools/test.py', config, '--work-dir', work], repo_root)
    assert rc != 0
    errors = [line for line in log.splitlines() if line.startswith('error:')]
    assert len(errors) == 1 and missing in errors[0]
    assert 'Traceback' not in log
