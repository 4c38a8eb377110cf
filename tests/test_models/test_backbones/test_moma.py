# Copyright (c) mmvssm contributors. All rights reserved.
"""MoMa: windows, init equality, parameter counts, the frozen contract."""

import pytest
import torch
from mmengine.optim import build_optim_wrapper

from mmvssm.models.backbones import CLIPVisionTransformer, MoMa
from mmvssm.models.backbones.moma import (
    window_order,
    window_partition,
    window_reverse,
)
from mmvssm.models.layers.clip_layers import clip_attention_step, clip_mlp_step

TINY = dict(patch_size=16, width=64, depth=2, num_heads=2, embed_dims=32)


def _foundation(img_size=224, arch=TINY):
    return dict(type='CLIPVisionTransformer', arch=arch, img_size=img_size)


def _perturbed(model):
    """CLIP weights with non-trivial values (biases start at zero)."""
    torch.manual_seed(1)
    with torch.no_grad():
        for p in model.foundation.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    return model


def _reference_divide(block, tokens, grid, window, cls):
    """The attention step run window by window on the real tokens only."""
    h, w = grid
    off = 1 if cls else 0
    patches = tokens[:, off:].reshape(tokens.shape[0], h, w, -1)
    out = torch.empty_like(patches)
    cls_outs = []
    for y0 in range(0, h, window):
        for x0 in range(0, w, window):
            win = patches[:, y0 : y0 + window, x0 : x0 + window]
            wh, ww = win.shape[1:3]
            seq = win.reshape(win.shape[0], wh * ww, -1)
            if cls:
                seq = torch.cat([tokens[:, :1], seq], dim=1)
            res = clip_attention_step(block, seq)
            if cls:
                cls_outs.append(res[:, 0])
                res = res[:, 1:]
            out[:, y0 : y0 + wh, x0 : x0 + ww] = res.reshape(win.shape)
    out = out.reshape(tokens.shape[0], h * w, -1)
    if cls:
        # Each window's CLS output is cls + attn; their mean likewise.
        out = torch.cat([torch.stack(cls_outs).mean(0)[:, None], out], 1)
    return out


def test_window_partition_round_trip_with_padding():
    x = torch.randn(3, 14, 14, 5)
    wins, pad, padded = window_partition(x, (8, 8))
    assert wins.shape == (3 * 4, 64, 5) and padded == (16, 16)
    assert pad.shape == (4, 64) and int((~pad).sum()) == 196
    assert torch.equal(window_reverse(wins, (8, 8), padded, (14, 14)), x)
    order = window_order((14, 14), (8, 8))
    assert torch.equal(torch.sort(order).values, torch.arange(196))
    assert order[:8].tolist() == list(range(8))
    assert order[8].item() == 14  # second row of the first window


@pytest.mark.parametrize('cls_token', ['window', 'drop'])
def test_padded_masked_windows_equal_window_by_window(cls_token):
    torch.manual_seed(0)
    model = _perturbed(MoMa(_foundation(), cls_token=cls_token)).eval()
    block = model.foundation.blocks[0]
    tokens = torch.randn(3, 196 + (cls_token == 'window'), 64)
    with torch.no_grad():
        got = model.divide(block, tokens, (14, 14))
        ref = _reference_divide(
            block, tokens, (14, 14), 8, cls_token == 'window'
        )
    assert (got - ref).abs().max() <= 1e-6


def test_block_at_init_equals_frozen_windowed_block():
    torch.manual_seed(0)
    model = _perturbed(MoMa(_foundation())).eval()
    model.init_weights()
    video = torch.randn(2, 3, 3, 224, 224)
    with torch.no_grad():
        got, grid = model.forward_tokens(video)
        frames = video.transpose(1, 2).flatten(0, 1)
        ref = model.foundation.embed_frames(frames)
        for block in model.foundation.blocks:
            ref = _reference_divide(block, ref, grid, 8, True)
            ref = clip_mlp_step(block, ref)
    assert (got - ref).abs().max() <= 1e-6
    # The SSM is really in the path: a non-zero output projection changes it.
    with torch.no_grad():
        model.seqmods['0'].ssm.out_proj.weight.normal_(0, 0.1)
        assert (model.forward_tokens(video)[0] - ref).abs().max() > 1e-3


def test_window_over_whole_frame_equals_clip_at_init():
    torch.manual_seed(0)
    model = _perturbed(MoMa(_foundation(img_size=64), out_type='tokens'))
    model.eval()
    video = torch.randn(2, 3, 2, 64, 64)
    clip = CLIPVisionTransformer(TINY, img_size=64, out_type='tokens')
    clip.load_state_dict(model.foundation.state_dict())
    with torch.no_grad():
        ref = clip(video)[:, :, 1:]
        got = model(video)
    torch.testing.assert_close(got, ref, atol=1e-6, rtol=0)


def test_temporal_order_is_relative_to_primary():
    model = MoMa(_foundation(), extra_orders=('temporal',))
    primary, temporal = model.scan_orders(3, (14, 14), 'cpu')
    raster = torch.arange(3 * 196)
    seq = raster[primary]
    # Temporal-first: position by position, frames in time order.
    expected = raster.view(3, 196).t().reshape(-1)
    assert torch.equal(seq[temporal], expected)
    assert len(model.seqmods['0'].ssm._scans) == 4


def test_modulated_model_sees_time_order():
    torch.manual_seed(0)
    model = _perturbed(MoMa(_foundation(img_size=64))).eval()
    for mod in model.seqmods.values():
        with torch.no_grad():
            mod.ssm.out_proj.weight.normal_(0, 0.1)
    video = torch.randn(1, 3, 4, 64, 64)
    with torch.no_grad():
        fwd = model(video)
        rev = model(video.flip(2))
        frame_mean = model.teacher_embedding(video)
        frame_mean_rev = model.teacher_embedding(video.flip(2))
    torch.testing.assert_close(frame_mean, frame_mean_rev)
    assert (fwd - rev).abs().max() > 1e-4


@pytest.mark.parametrize(
    'arch,paper', [('b16', 11e6), ('l14', 39e6)], ids=['B/16', 'L/14']
)
def test_trainable_parameters_match_the_paper(arch, paper):
    with torch.device('meta'):
        model = MoMa(dict(type='CLIPVisionTransformer', arch=arch))
    trainable = model.trainable_parameters
    seqmod_params = sum(p.numel() for p in model.seqmods.parameters())
    print(
        f'MoMa {arch}: {trainable / 1e6:.2f}M trainable '
        f'(paper {paper / 1e6:.0f}M)'
    )
    assert trainable == seqmod_params
    assert abs(trainable - paper) <= 0.1 * paper


def test_frozen_foundation_gets_no_grad_no_state_and_stays_put():
    torch.manual_seed(0)
    model = MoMa(_foundation(img_size=64))
    wrapper = build_optim_wrapper(
        model,
        dict(
            optimizer=dict(type='AdamW', lr=1e-2, weight_decay=0.05),
            # Whatever the optimizer config says, the IFM stays frozen.
            paramwise_cfg=dict(custom_keys={'foundation': dict(lr_mult=10)}),
        ),
    )
    model.train()
    assert not model.foundation.training
    assert all(not m.training for m in model.foundation.modules())
    frozen = {
        n: p.detach().clone() for n, p in model.foundation.named_parameters()
    }
    mods = {n: p.detach().clone() for n, p in model.seqmods.named_parameters()}
    for _ in range(3):
        loss = model(torch.randn(2, 3, 4, 64, 64)).square().sum()
        wrapper.update_params(loss)
    state = wrapper.optimizer.state
    for name, p in model.foundation.named_parameters():
        assert not p.requires_grad and p.grad is None, name
        assert p not in state or not state[p], name
        assert torch.equal(p, frozen[name]), name
    changed = [
        n
        for n, p in model.seqmods.named_parameters()
        if not torch.equal(p, mods[n])
    ]
    assert len(changed) == len(mods)
    assert all(p in state for p in model.seqmods.parameters())


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match='cls_token'):
        MoMa(_foundation(), cls_token='global')
    with pytest.raises(ValueError, match='extra_orders'):
        MoMa(_foundation(), extra_orders=('diagonal',))


def test_recognizer_adds_the_distillation_loss():
    from mmaction.structures import ActionDataSample

    from mmvssm.registry import MODELS

    torch.manual_seed(0)
    tiny_text = dict(width=64, depth=2, num_heads=2, embed_dims=32)
    head = dict(
        type='TextSimilarityHead',
        in_channels=32,
        text_branch=dict(
            type='PromptTextBranch',
            class_names='synthetic_motion',
            templates='actionclip',
            text_encoder=dict(type='CLIPTextTransformer', arch=tiny_text),
        ),
    )
    model = MODELS.build(
        dict(
            type='MoMaRecognizer',
            trainable=('backbone.seqmods',),
            distill_loss=dict(type='CosineDistillLoss', loss_weight=0.5),
            backbone=dict(type='MoMa', foundation=_foundation(img_size=64)),
            cls_head=head,
        )
    )
    inputs = torch.randn(2, 1, 3, 4, 64, 64)
    samples = [ActionDataSample().set_gt_label(i) for i in (0, 5)]
    losses = model.loss(inputs, samples)
    assert set(losses) >= {'loss_cls', 'loss_distill'}
    clips = inputs.flatten(0, 1)
    student = model.backbone(clips)
    teacher = model.backbone.teacher_embedding(clips)
    cos = torch.nn.functional.cosine_similarity(student, teacher, dim=-1)
    torch.testing.assert_close(
        losses['loss_distill'], 0.5 * (2 - 2 * cos).mean()
    )
    (losses['loss_cls'] + losses['loss_distill']).backward()
    grads = [n for n, p in model.named_parameters() if p.grad is not None]
    assert grads and all(n.startswith('backbone.seqmods.') for n in grads)
