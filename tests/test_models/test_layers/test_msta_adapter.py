# Copyright (c) mmvssm contributors. All rights reserved.
"""MSTA adapters: sharing, the gradient-scale trick, layouts, counts."""

import pytest
import torch
from clip_helpers import TINY_TEXT, TINY_VISION
from torch import nn

from mmvssm.models.backbones import (
    CLIPVisionTransformer,
    MSTACLIPVisionTransformer,
    MSTAViCLIPVisionTransformer,
    ViCLIPVisionTransformer,
)
from mmvssm.models.layers import MSTAAdapterSet, scale_with_gradient_trick
from mmvssm.models.text import MSTACLIPTextTransformer


def _count(module):
    return sum(p.numel() for p in module.parameters())


def test_parameter_counts_of_the_logged_and_the_paper_model():
    # ViCLIP-B/16 widths: the logged run (blocks 8-12, r 128) and the
    # paper's 8.7M model (all 12 blocks, r 256).
    assert _count(MSTAAdapterSet(768, 512, 128, 7, 12)) == 1_744_000
    assert _count(MSTAAdapterSet(768, 512, 256, 0, 12)) == 8_712_192
    one = MSTAAdapterSet(768, 512, 128, 11, 12).adapters['11']
    assert _count(one.video_temporal) == 768 * 3 + 768  # per channel, k=3
    assert one.shared.weight.shape == (128, 128)


def test_block_range_and_kaiming_init():
    adapters = MSTAAdapterSet(64, 48, 8, start_block=1, end_block=3)
    assert sorted(adapters.adapters) == ['1', '2']
    assert adapters.adapts(2, 'text') and not adapters.adapts(0, 'video')
    w = MSTAAdapterSet(768, 512, 128, 0, 1).adapters['0'].video_down.weight
    # Kaiming normal, fan-in 768, ReLU gain: std sqrt(2 / 768).
    assert w.std().item() == pytest.approx((2 / 768) ** 0.5, rel=0.05)
    assert not torch.any(adapters.adapters['1'].video_down.bias)
    with pytest.raises(ValueError, match='blocks'):
        enc = MSTACLIPTextTransformer(arch=TINY_TEXT)  # 2 blocks
        enc.attach_adapters(MSTAAdapterSet(64, 64, 8, 0, 3))


def test_shared_projection_gets_gradients_from_both_modalities():
    torch.manual_seed(0)
    adapters = MSTAAdapterSet(64, 48, 8, start_block=0, end_block=1)
    shared = adapters.adapters['0'].shared.weight
    video = torch.randn(2, 1 + 4 * 3, 64)
    text = torch.randn(3, 5, 48)

    def grad(video_on, text_on):
        adapters.zero_grad(set_to_none=True)
        loss = 0
        if video_on:
            loss = loss + adapters.branch(0, 'video', video, 3).square().sum()
        if text_on:
            loss = loss + adapters.branch(0, 'text', text).square().sum()
        loss.backward()
        return {n: p.grad for n, p in adapters.named_parameters()}

    from_video = grad(True, False)
    from_text = grad(False, True)
    both = grad(True, True)
    key = 'adapters.0.shared.weight'
    assert from_video[key].abs().sum() > 0 and from_text[key].abs().sum() > 0
    assert from_video['adapters.0.text_down.weight'] is None
    assert from_text['adapters.0.video_down.weight'] is None
    torch.testing.assert_close(both[key], from_video[key] + from_text[key])
    assert both[key] is shared.grad


def test_gradient_scale_trick():
    torch.manual_seed(0)
    branch = nn.Sequential(nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 6))
    z = torch.randn(5, 6, requires_grad=True)
    upstream = torch.randn(5, 6)
    scale = 0.005

    def run(fn):
        branch.zero_grad(set_to_none=True)
        z.grad = None
        out = fn()
        out.backward(upstream)
        return (
            out.detach(),
            z.grad.clone(),
            [p.grad for p in branch.parameters()],
        )

    out, z_grad, grads = run(
        lambda: scale_with_gradient_trick(branch, z, scale)
    )
    _, _, unscaled_grads = run(lambda: branch(z))  # the adapter at lambda=1
    plain_out, plain_z_grad, plain_grads = run(lambda: scale * branch(z))
    torch.testing.assert_close(out, plain_out)  # forward is x lambda
    for g, ref in zip(grads, unscaled_grads):
        torch.testing.assert_close(g, ref)  # adapter: gradients as lambda=1
    for g, ref in zip(grads, plain_grads):
        assert not torch.allclose(g, ref)
    torch.testing.assert_close(z_grad, plain_z_grad)  # trunk: true gradient
    _, _, off = run(lambda: scale_with_gradient_trick(branch, z, scale, False))
    for g, ref in zip(off, plain_grads):
        torch.testing.assert_close(g, ref)


def test_temporal_branch_follows_the_viclip_token_order():
    torch.manual_seed(0)
    adapter = MSTAAdapterSet(16, 8, 4, 0, 1).adapters['0']
    n, t, h, w, c = 2, 4, 3, 2, 16
    u = torch.randn(n, 1 + h * w * t, c)
    out = adapter.temporal(u, t, 'viclip')
    grid = ViCLIPVisionTransformer.tokens_to_grid(u[:, 1:], t, (h, w))
    conv = adapter.video_temporal
    ref = nn.functional.conv3d(
        grid,
        conv.weight[..., None, None],
        conv.bias,
        padding=(1, 0, 0),
        groups=c,
    )
    torch.testing.assert_close(
        out[:, 1:], ViCLIPVisionTransformer.grid_to_tokens(ref)
    )
    assert not torch.any(out[:, 0])  # the one CLS token: no temporal part
    # Frame-major (CLIP per frame): frame j of clip i is row i*T + j.
    frames = torch.randn(n * t, 5, c)
    out = adapter.temporal(frames, t, 'frames')
    seq = frames.reshape(n, t, 5, c).permute(0, 2, 3, 1).reshape(-1, c, t)
    ref = conv(seq).reshape(n, 5, c, t).permute(0, 3, 1, 2).reshape(-1, 5, c)
    torch.testing.assert_close(out, ref)


@pytest.mark.parametrize(
    'cls', [MSTAViCLIPVisionTransformer, MSTACLIPVisionTransformer]
)
def test_adapted_encoder_is_the_frozen_one_without_adapters(cls):
    torch.manual_seed(0)
    encoder = cls(arch=TINY_VISION, img_size=32).eval()
    plain = (
        ViCLIPVisionTransformer
        if cls is MSTAViCLIPVisionTransformer
        else CLIPVisionTransformer
    )
    base = plain(arch=TINY_VISION, img_size=32).eval()
    base.load_state_dict(encoder.state_dict())
    video = torch.randn(2, 3, 4, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(encoder(video), base(video))
        adapters = MSTAAdapterSet(64, 64, 8, 0, 2)
        encoder.attach_adapters(adapters)
        adapted = encoder(video)
        assert not torch.allclose(adapted, base(video))
        with encoder.adapters_disabled():
            torch.testing.assert_close(encoder(video), base(video))
        # The branch is lambda * A: a small change.
        assert (adapted - base(video)).abs().max() < 0.5
    # Adapters are not sub-modules of the encoder (the recognizer owns them).
    assert not any('adapter' in k for k in encoder.state_dict())


def test_ablation_options():
    both = MSTAAdapterSet(768, 512, 128, 7, 12)
    unshared = MSTAAdapterSet(768, 512, 128, 7, 12, share=False)
    assert _count(unshared) - _count(both) == 5 * (128 * 128 + 128)
    video_only = MSTAAdapterSet(768, 512, 128, 7, 12, modalities=('video',))
    assert not video_only.adapts(8, 'text') and video_only.adapts(8, 'video')
    z = torch.randn(2, 7, 512)
    a, b = unshared.adapters['7'].shared, unshared.adapters['7'].text_shared
    out = unshared.branch(7, 'text', z)
    out.sum().backward()
    assert b.weight.grad is not None and a.weight.grad is None
    with pytest.raises(ValueError, match='modalities'):
        MSTAAdapterSet(modalities=('audio',))
