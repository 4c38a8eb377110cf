# Copyright (c) mmvssm contributors. All rights reserved.
"""MoMa around an mmpretrain VisionTransformer (MMPretrainViTFoundation)."""

import pytest
import torch
from mmpretrain.models import VisionTransformer

from mmvssm.models.backbones import MMPretrainViTFoundation, MoMa
from mmvssm.registry import MODELS

ARCH = dict(embed_dims=64, num_layers=2, num_heads=4, feedforward_channels=128)


def _vit_cfg(**kwargs):
    cfg = dict(
        type='mmpretrain.VisionTransformer',
        arch=ARCH,
        img_size=32,
        patch_size=8,
    )
    cfg.update(kwargs)
    return cfg


def _foundation(**kwargs):
    return dict(type='MMPretrainViTFoundation', vit=_vit_cfg(**kwargs))


def _perturb(module, seed=1):
    """Non-trivial weights (mmpretrain starts CLS and biases at zero)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return module


def _reference_vit(foundation, out_type='raw'):
    """mmpretrain's own ViT with the wrapper's weights."""
    cfg = dict(foundation.vit_cfg, out_type=out_type)
    cfg.pop('type')
    vit = VisionTransformer(**cfg)
    vit.load_state_dict(foundation.vit.state_dict())
    vit.eval()  # mmpretrain's BaseBackbone.train returns None
    return vit


def _reference_windowed(foundation, tokens, grid, window, cls=True):
    """Each block with its attention run window by window (real tokens
    only) by mmpretrain's own ``MultiheadAttention``; with ``cls`` the CLS
    token joins every window and takes the mean of its outputs."""
    h, w = grid
    off = int(cls)
    for layer in foundation.blocks:
        normed = layer.ln1(tokens)
        patches = normed[:, off:].reshape(tokens.shape[0], h, w, -1)
        out = torch.empty_like(patches)
        cls_outs = []
        for y0 in range(0, h, window):
            for x0 in range(0, w, window):
                win = patches[:, y0 : y0 + window, x0 : x0 + window]
                seq = win.reshape(win.shape[0], -1, win.shape[-1])
                if cls:
                    seq = torch.cat([normed[:, :1], seq], dim=1)
                res = layer.attn(seq)
                if cls:
                    cls_outs.append(res[:, 0])
                out[:, y0 : y0 + window, x0 : x0 + window] = res[
                    :, off:
                ].reshape(win.shape)
        branch = out.flatten(1, 2)
        if cls:
            cls_out = torch.stack(cls_outs).mean(0)[:, None]
            branch = torch.cat([cls_out, branch], 1)
        tokens = tokens + branch
        tokens = layer.ffn(layer.ln2(tokens), identity=tokens)
    return tokens


@pytest.mark.parametrize('layer_scale', [0.0, 0.1])
def test_wrapper_pieces_reproduce_mmpretrain_forward(layer_scale):
    torch.manual_seed(0)
    foundation = MODELS.build(
        _foundation(layer_scale_init_value=layer_scale)
    ).eval()
    assert isinstance(foundation, MMPretrainViTFoundation)
    assert isinstance(foundation.vit, VisionTransformer)
    if layer_scale:
        block = foundation.blocks[0]
        assert torch.all(block.attn.gamma1.weight == layer_scale)
        assert torch.all(block.ffn.gamma2.weight == layer_scale)
    _perturb(foundation)
    vit = _reference_vit(foundation)
    assert foundation.width == 64 and foundation.patch_size == 8
    assert len(foundation.blocks) == 2 and foundation.proj is None
    for size in (32, 48):  # 48: positional embedding resized on the fly
        frames = torch.randn(3, 3, size, size)
        with torch.no_grad():
            ref = vit(frames)[0]
            x = foundation.embed_frames(frames)
            assert x.shape == (3, 1 + (size // 8) ** 2, 64)
            for block in foundation.blocks:
                normed = foundation.attention_norm(block, x)
                x = x + foundation.attention(block, normed)
                x = foundation.mlp_step(block, x)
            got = foundation.ln_post(x)
        assert (got - ref).abs().max() <= 1e-6
    # A key padding mask hides the padded keys exactly.
    block = foundation.blocks[0]
    tokens = torch.randn(2, 7, 64)
    pad = torch.zeros(2, 7, dtype=torch.bool)
    pad[:, 5:] = True
    with torch.no_grad():
        masked = foundation.attention(block, tokens, key_padding_mask=pad)
        real = foundation.attention(block, tokens[:, :5])
    assert (masked[:, :5] - real).abs().max() <= 1e-6


@pytest.mark.parametrize('layer_scale', [0.0, 0.1])
def test_moma_at_init_equals_windowed_frozen_vit(layer_scale):
    torch.manual_seed(0)
    video = torch.randn(2, 3, 3, 32, 32)
    frames = video.transpose(1, 2).flatten(0, 1)
    # Window = whole 4 x 4 grid: MoMa at init is mmpretrain's plain ViT.
    model = MoMa(
        _foundation(layer_scale_init_value=layer_scale),
        window_size=4,
        out_type='tokens',
    )
    model.init_weights()
    _perturb(model.foundation)
    model.eval()
    vit = _reference_vit(model.foundation)
    with torch.no_grad():
        ref = vit(frames)[0][:, 1:].reshape(2, 3, 16, 64)
        got = model(video)
    assert (got - ref).abs().max() <= 1e-6
    # Smaller windows: each block windowed through mmpretrain's attention;
    # 3 x 3 windows pad the 4 x 4 grid to 6 x 6 (padded keys masked). In
    # float64: softmax over masked keys and over the real keys alone round
    # differently in float32 (about 1e-6 here).
    weights = model.foundation.state_dict()
    video, frames = video.double(), frames.double()
    for window in (2, 3):
        for cls_token in ('window', 'drop'):
            model = MoMa(
                _foundation(layer_scale_init_value=layer_scale),
                window_size=window,
                cls_token=cls_token,
                out_type='pooled',
            )
            model.foundation.load_state_dict(weights)
            model.double().eval()
            cls = cls_token == 'window'
            with torch.no_grad():
                tokens = model.foundation.embed_frames(frames)
                got, grid = model.forward_tokens(video)
                ref = _reference_windowed(
                    model.foundation,
                    tokens if cls else tokens[:, 1:],
                    grid,
                    window,
                    cls,
                )
            assert grid == (4, 4)
            assert (got - ref).abs().max() <= 1e-10, (window, cls_token)
    # The SSM is in the path: a non-zero output projection changes it.
    with torch.no_grad():
        model.seqmods['0'].ssm.out_proj.weight.normal_(0, 0.1)
        assert (model.forward_tokens(video)[0] - ref).abs().max() > 1e-3


def test_frozen_vit_gets_no_grad_seqmods_do():
    torch.manual_seed(0)
    model = MoMa(
        _foundation(layer_scale_init_value=0.1),
        window_size=2,
        out_type='pooled',
    )
    model.init_weights()
    model.train()
    assert not model.foundation.training
    assert all(not m.training for m in model.foundation.modules())
    out = model(torch.randn(2, 3, 4, 32, 32))
    assert out.shape == (2, 64)
    out.square().sum().backward()
    for name, p in model.foundation.named_parameters():
        assert not p.requires_grad and p.grad is None, name
    seqmod_params = list(model.seqmods.named_parameters())
    assert seqmod_params and model.trainable_parameters == sum(
        p.numel() for _, p in seqmod_params
    )
    for name, p in seqmod_params:
        assert p.requires_grad and p.grad is not None, name
    teacher = model.teacher_embedding(torch.randn(2, 3, 2, 32, 32))
    assert teacher.shape == (2, 64)


def test_embed_without_projection_is_refused():
    with pytest.raises(ValueError, match='no embedding projection'):
        MoMa(_foundation())


def test_mmpretrain_checkpoint_loads_at_build(tmp_path):
    from mmpretrain.models.utils import resize_pos_embed

    torch.manual_seed(0)
    cfg = _vit_cfg(img_size=16)
    cfg.pop('type')
    source = _perturb(VisionTransformer(**cfg))
    state = {f'backbone.{k}': v for k, v in source.state_dict().items()}
    state['head.fc.weight'] = torch.zeros(10, 64)
    path = tmp_path / 'vit.pth'
    torch.save(dict(meta=dict(), state_dict=state), path)
    foundation = MODELS.build(
        dict(
            _foundation(),
            init_cfg=dict(type='Pretrained', checkpoint=str(path)),
        )
    )
    loaded = foundation.vit.state_dict()
    for key, value in source.state_dict().items():
        if key != 'pos_embed':
            assert torch.equal(loaded[key], value), key
    expected = resize_pos_embed(source.pos_embed, (2, 2), (4, 4))
    assert torch.equal(loaded['pos_embed'], expected)
    # init_weights keeps the loaded weights.
    foundation.init_weights()
    assert torch.equal(foundation.vit.pos_embed, expected)
