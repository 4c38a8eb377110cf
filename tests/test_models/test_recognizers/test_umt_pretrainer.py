# Copyright (c) mmvssm contributors. All rights reserved.
"""UMT-style masked pre-training: targets, masking of the student, saving."""

import os.path as osp
import sys

import pytest
import torch
import torch.nn.functional as F

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
)
sys.path.insert(0, osp.join(REPO, 'tools', 'misc'))

from make_tiny_clip import make_tiny_clip_state_dict  # noqa: E402

TEACHER_ARCH = dict(
    patch_size=8, width=64, depth=2, num_heads=2, embed_dims=32
)


@pytest.fixture(scope='module')
def clip_file(tmp_path_factory):
    path = tmp_path_factory.mktemp('clip') / 'tiny_clip.pth'
    torch.save(make_tiny_clip_state_dict(seed=3), path)
    return str(path)


def _build(clip_file, **kwargs):
    from mmvssm.registry import MODELS

    cfg = dict(
        type='UMTPretrainer',
        backbone=dict(
            type='VideoMamba',
            arch=dict(embed_dims=32, num_layers=3),
            img_size=64,
            patch_size=8,
            num_frames=4,
            tubelet_size=2,
        ),
        teacher=dict(
            type='CLIPVisionTransformer',
            arch=TEACHER_ARCH,
            img_size=64,
            init_cfg=dict(type='Pretrained', checkpoint=clip_file),
        ),
    )
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_targets_equal_frozen_teacher_features(clip_file):
    from mmvssm.models.backbones.clip import CLIPVisionTransformer

    torch.manual_seed(0)
    model = _build(clip_file, num_align_layers=2)
    # An independent teacher from the same file, through its public forward.
    ref = CLIPVisionTransformer(
        arch=TEACHER_ARCH,
        img_size=64,
        out_type='tokens',
        init_cfg=dict(type='Pretrained', checkpoint=clip_file),
    ).eval()
    x = torch.randn(2, 3, 4, 64, 64)
    with torch.no_grad():
        tokens = ref(x)  # (N, T, 1 + hw, width), after ln_post
        feat = F.normalize(tokens @ ref.proj, dim=-1)
    feat = feat.reshape(2, 2, 2, *feat.shape[2:]).mean(2)  # tubelets of 2
    cls = feat[:, :, 0].mean(1, keepdim=True)
    expected = F.normalize(
        torch.cat([cls, feat[:, :, 1:].flatten(1, 2)], 1), dim=-1
    )
    out = model.teacher_targets(x)
    torch.testing.assert_close(out['targets'][-1], expected, atol=1e-5, rtol=0)
    assert out['targets'][0].shape == expected.shape
    assert not torch.allclose(out['targets'][0], expected)  # layer -2
    assert out['attention'].shape == (2, 2, 64)
    # cls-to-patch attention: with the cls token's own weight it sums to 1
    total = out['attention'].sum(-1) + _cls_self(model, x)
    torch.testing.assert_close(total, torch.ones(2, 2), atol=1e-5, rtol=0)


def _cls_self(model, x):
    """The cls token's attention to itself (what the patches miss of 1)."""
    t = model.teacher
    frames = x.transpose(1, 2).flatten(0, 1)
    with torch.no_grad():
        h = t.embed_frames(frames)
        for block in list(t.blocks)[:-1]:
            h = block(h)
        n = t.blocks[-1].ln_1(h)
        w = t.blocks[-1].attn(n, n, n, need_weights=True)[1][:, 0, 0]
    return w.reshape(2, 2, 2).mean(-1)


def test_student_sees_only_visible_tokens_and_teacher_stays_frozen(
    clip_file, monkeypatch
):
    torch.manual_seed(0)
    model = _build(clip_file, mask_type='frame_row', mask_ratio=0.5)
    seen = {}
    forward_tokens = model.backbone.forward_tokens

    def spy(tokens, **kwargs):
        seen['shape'] = tuple(tokens.shape)
        return forward_tokens(tokens, **kwargs)

    monkeypatch.setattr(model.backbone, 'forward_tokens', spy)
    teacher_before = {
        k: v.clone() for k, v in model.teacher.state_dict().items()
    }
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad])
    x = torch.randn(2, 3, 4, 64, 64)
    losses = model(x, mode='loss')
    assert 0.0 <= losses['loss_align'].item() <= 4.0
    losses['loss_align'].backward()
    opt.step()
    # 2 token frames x 4 of 8 rows x 8 columns visible + cls
    assert seen['shape'] == (2, 1 + 2 * 4 * 8, 32)
    assert all(not p.requires_grad for p in model.teacher.parameters())
    for k, v in model.teacher.state_dict().items():
        torch.testing.assert_close(v, teacher_before[k], atol=0, rtol=0)
    assert model.backbone.patch_embed.proj.weight.grad is not None
    # checkpoints leave out the teacher, keep the decoder
    keys = model.state_dict().keys()
    assert not any(k.startswith('teacher.') for k in keys)
    assert any(k.startswith('clip_decoder.0.') for k in keys)


def test_forward_split_is_forward_features():
    from mmvssm.models.backbones import VideoMamba

    torch.manual_seed(0)
    m = VideoMamba(
        arch=dict(embed_dims=32, num_layers=3),
        img_size=32,
        patch_size=8,
        num_frames=4,
    ).eval()
    x = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        full = m.forward_features(x)
        final, streams = m.forward_tokens(m.embed(x), return_layers=(-1, 0))
    torch.testing.assert_close(final, full, atol=0, rtol=0)
    assert len(streams) == 2 and streams[0].shape == full.shape


def test_bad_settings(clip_file):
    with pytest.raises(ValueError, match='mask_type'):
        _build(clip_file, mask_type='blocks')
    with pytest.raises(ValueError, match='grid'):
        _build(
            clip_file,
            teacher=dict(
                type='CLIPVisionTransformer', arch=TEACHER_ARCH, img_size=32
            ),
        )
    with pytest.raises(ValueError, match='num_align_layers'):
        _build(clip_file, num_align_layers=5)
    model = _build(clip_file)
    with pytest.raises(RuntimeError, match='pre-trains only'):
        model(torch.randn(1, 3, 4, 64, 64), mode='predict')
