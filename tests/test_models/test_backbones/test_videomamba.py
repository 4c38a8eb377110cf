# Copyright (c) mmvssm contributors. All rights reserved.
"""VideoMamba backbone: sizes, official checkpoints, semantics, errors."""

import math

import pytest
import torch
from einops import rearrange
from mmengine.logging import print_log

from mmvssm.models.backbones import VideoMamba
from mmvssm.models.layers import (
    resize_spatial_pos_embed,
    resize_temporal_pos_embed,
)
from mmvssm.models.utils import ckpt_convert
from mmvssm.registry import MODELS

TINY = dict(embed_dims=32, num_layers=2)


def official_shapes(
    dims, depth, num_frames=8, num_patches=196, num_classes=400, d_state=16
):
    """The official state-dict keys and shapes (paper notes 1.8)."""
    d_inner, dt_rank = 2 * dims, math.ceil(dims / 16)
    shapes = {
        'cls_token': (1, 1, dims),
        'pos_embed': (1, num_patches + 1, dims),
        'temporal_pos_embedding': (1, num_frames, dims),
        'patch_embed.proj.weight': (dims, 3, 1, 16, 16),
        'patch_embed.proj.bias': (dims,),
        'head.weight': (num_classes, dims),
        'head.bias': (num_classes,),
    }
    for i in range(depth):
        p = f'layers.{i}.mixer.'
        shapes.update(
            {
                p + 'A_log': (d_inner, d_state),
                p + 'D': (d_inner,),
                p + 'A_b_log': (d_inner, d_state),
                p + 'D_b': (d_inner,),
                p + 'in_proj.weight': (2 * d_inner, dims),
                p + 'conv1d.weight': (d_inner, 1, 4),
                p + 'conv1d.bias': (d_inner,),
                p + 'x_proj.weight': (dt_rank + 2 * d_state, d_inner),
                p + 'dt_proj.weight': (d_inner, dt_rank),
                p + 'dt_proj.bias': (d_inner,),
                p + 'conv1d_b.weight': (d_inner, 1, 4),
                p + 'conv1d_b.bias': (d_inner,),
                p + 'x_proj_b.weight': (dt_rank + 2 * d_state, d_inner),
                p + 'dt_proj_b.weight': (d_inner, dt_rank),
                p + 'dt_proj_b.bias': (d_inner,),
                p + 'out_proj.weight': (dims, d_inner),
                f'layers.{i}.norm.weight': (dims,),
            }
        )
    shapes['norm_f.weight'] = (dims,)
    return shapes


def official_state_dict(dims, depth, seed=0, **kwargs):
    """Random tensors under the official keys and shapes."""
    gen = torch.Generator().manual_seed(seed)
    return {
        k: torch.randn(s, generator=gen) * 0.02
        for k, s in official_shapes(dims, depth, **kwargs).items()
    }


@pytest.fixture
def log_lines(monkeypatch):
    """Messages VideoMamba logs (still logged) during the test."""
    lines = []

    def record(msg, *args, **kwargs):
        lines.append(str(msg))
        return print_log(msg, *args, **kwargs)

    # The backbone's load hooks log through the checkpoint helpers.
    monkeypatch.setattr(ckpt_convert, 'print_log', record)
    return lines


def rms_norm(x, weight, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def official_forward(model, x):
    """The official forward, written out literally (unfused block path)."""
    x = model.patch_embed.proj(x)
    b, c, t, h, w = x.shape
    x = x.permute(0, 2, 3, 4, 1).reshape(b * t, h * w, c)
    x = torch.cat([model.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
    x = x + model.pos_embed
    cls_tokens = x[:b, :1, :]
    x = rearrange(x[:, 1:], '(b t) n m -> (b n) t m', b=b, t=t)
    x = x + model.temporal_pos_embedding
    x = rearrange(x, '(b n) t m -> b (t n) m', b=b, t=t)
    hidden, residual = torch.cat([cls_tokens, x], dim=1), None
    for layer in model.layers:
        residual = hidden if residual is None else residual + hidden
        hidden = layer.mixer(rms_norm(residual, layer.norm.weight))
    return rms_norm(residual + hidden, model.norm_f.weight)


@pytest.mark.parametrize(
    'arch,dims,depth,expected',
    [
        ('tiny', 192, 24, 7_033_744),
        ('small', 384, 24, 25_568_656),
        ('middle', 576, 32, 73_875_856),
    ],
)
def test_sizes_match_official_keys_and_param_counts(
    arch, dims, depth, expected
):
    backbone = VideoMamba(arch=arch, num_frames=8)
    head = MODELS.build(
        dict(type='TimeSformerHead', num_classes=400, in_channels=dims)
    )
    count = sum(p.numel() for m in (backbone, head) for p in m.parameters())
    assert count == expected
    ours = {k: tuple(v.shape) for k, v in backbone.state_dict().items()}
    ours.update(
        {
            f'head.{k}': tuple(v.shape)
            for k, v in head.fc_cls.state_dict().items()
        }
    )
    assert ours == official_shapes(dims, depth)


def test_official_checkpoint_loads_via_init_cfg(tmp_path, log_lines):
    official = official_state_dict(192, 24)
    path = tmp_path / 'videomamba_t16_k400_f8_res224.pth'
    torch.save(official, path)
    model = VideoMamba(
        arch='tiny', init_cfg=dict(type='Pretrained', checkpoint=str(path))
    )
    model.init_weights()
    state = model.state_dict()
    for key, value in official.items():
        if not key.startswith('head.'):
            torch.testing.assert_close(state[key], value, rtol=0, atol=0)
    text = '\n'.join(log_lines)
    assert 'left out the classifier head.* (400 classes)' in text
    assert 'missing keys' not in text and 'unexpected key' not in text
    # A strict load of the same file reports nothing either.
    result = model.load_state_dict(official, strict=True)
    assert not result.missing_keys and not result.unexpected_keys


def test_in1k_checkpoint_inflated_and_interpolated(tmp_path, log_lines):
    """IN-1K image weights (2D patch kernel, 'model' wrapper) into 16x112."""
    image = official_state_dict(32, 2, num_classes=1000)
    image['patch_embed.proj.weight'] = image['patch_embed.proj.weight'][
        :, :, 0
    ]
    del image['temporal_pos_embedding']
    path = tmp_path / 'videomamba_t16_in1k_res224.pth'
    torch.save({'model': image, 'epoch': 299}, path)
    model = VideoMamba(
        arch=TINY,
        img_size=112,
        num_frames=16,
        init_cfg=dict(type='Pretrained', checkpoint=str(path)),
    )
    model.init_weights()
    weight = model.patch_embed.proj.weight
    assert weight.shape == (32, 3, 1, 16, 16)
    torch.testing.assert_close(
        weight[:, :, 0], image['patch_embed.proj.weight']
    )
    expected = resize_spatial_pos_embed(image['pos_embed'], (7, 7))
    torch.testing.assert_close(model.pos_embed.data, expected)
    torch.testing.assert_close(model.pos_embed[:, 0], image['pos_embed'][:, 0])
    # No temporal table in an image checkpoint: it stays at its zero init.
    assert torch.count_nonzero(model.temporal_pos_embedding) == 0
    text = '\n'.join(log_lines)
    assert "unwrapped 'model'" in text and 'epoch' in text
    assert 'resized pos_embed 14x14 -> 7x7 (bicubic)' in text
    assert '1 missing keys' in text and 'temporal_pos_embedding' in text
    model.eval()
    out = model(torch.randn(1, 3, 16, 112, 112))
    assert out.shape == (1, 32) and torch.isfinite(out).all()


def test_temporal_interpolation_8_to_16(log_lines):
    video = official_state_dict(32, 2, num_frames=8)
    model = VideoMamba(arch=TINY, num_frames=16)
    model.load_state_dict(video, strict=True)
    table = model.temporal_pos_embedding.data
    assert table.shape == (1, 16, 32)
    # Linear, align_corners=False: position 2k+1 of 16 sits 3/4 of the way
    # from source k to k+1 (interior points).
    src = video['temporal_pos_embedding']
    torch.testing.assert_close(
        table[:, 3], 0.75 * src[:, 1] + 0.25 * src[:, 2]
    )
    assert 'resized temporal_pos_embedding 8 -> 16 (linear)' in '\n'.join(
        log_lines
    )


def test_masked_pretraining_checkpoint(log_lines):
    masked = official_state_dict(32, 2)
    for key in ('head.weight', 'head.bias'):
        del masked[key]
    masked['norm.weight'] = masked.pop('norm_f.weight')
    masked['clip_decoder.0.head.weight'] = torch.randn(512, 32)
    masked['clip_decoder.0.head.bias'] = torch.randn(512)
    model = VideoMamba(arch=TINY)
    result = model.load_state_dict(masked, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    torch.testing.assert_close(model.norm_f.weight.data, masked['norm.weight'])
    text = '\n'.join(log_lines)
    assert 'renamed norm.weight -> norm_f.weight' in text
    assert 'dropped the masked-pretraining decoder (2 clip_decoder' in text


def test_mismatched_keys_are_reported(tmp_path, log_lines):
    state = official_state_dict(32, 2)
    del state['layers.1.mixer.D_b']
    state['layers.1.mixer.bogus'] = torch.zeros(1)
    path = tmp_path / 'partial.pth'
    torch.save(state, path)
    model = VideoMamba(
        arch=TINY, init_cfg=dict(type='Pretrained', checkpoint=str(path))
    )
    model.init_weights()
    text = '\n'.join(log_lines)
    assert '1 missing keys (left as initialized): layers.1.mixer.D_b' in text
    assert '1 unexpected keys (not loaded): layers.1.mixer.bogus' in text


def test_recognizer_checkpoint_prefix_and_nested_load():
    """An mmvssm recognizer checkpoint loads into a bare backbone."""
    backbone = VideoMamba(arch=TINY)
    full = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    full['cls_head.fc_cls.weight'] = torch.zeros(4, 32)
    fresh = VideoMamba(arch=TINY)
    result = fresh.load_state_dict({'state_dict': full}, strict=True)
    assert not result.missing_keys
    for key, value in backbone.state_dict().items():
        torch.testing.assert_close(fresh.state_dict()[key], value)


def test_matches_literal_official_forward():
    torch.manual_seed(0)
    model = VideoMamba(arch=TINY, img_size=32, num_frames=4).eval()
    with torch.no_grad():
        model.temporal_pos_embedding.normal_(std=0.02)
        model.cls_token.normal_(std=0.02)
        x = torch.randn(2, 3, 4, 32, 32)
        ours = model.forward_features(x)
        torch.testing.assert_close(
            ours, official_forward(model, x), rtol=1e-5, atol=1e-5
        )
        assert ours.shape == (2, 1 + 4 * 4, 32)
        torch.testing.assert_close(model(x), ours[:, 0])


@pytest.mark.parametrize(
    'frames,size,tubelet', [(1, 32, 1), (4, 48, 1), (8, 32, 2)]
)
def test_forward_backward_shapes(frames, size, tubelet):
    model = VideoMamba(
        arch=TINY,
        img_size=size,
        num_frames=frames,
        tubelet_size=tubelet,
        drop_path_rate=0.1,
    )
    x = torch.randn(2, 3, frames, size, size)
    t, g = frames // tubelet, size // 16
    tokens = model.forward_features(x)
    assert tokens.shape == (2, 1 + t * g * g, 32)
    tokens.square().mean().backward()
    unused = [n for n, p in model.named_parameters() if p.grad is None]
    assert not unused
    for out_type, shape in [
        ('cls_token', (2, 32)),
        ('avg_featmap', (2, 32)),
        ('featmap', (2, 32, t, g, g)),
        ('raw', (2, 1 + t * g * g, 32)),
    ]:
        model.out_type = out_type
        assert model.select_output(tokens, x.shape).shape == shape


def test_on_the_fly_resize_equals_adapted_checkpoint():
    small = VideoMamba(arch=TINY, img_size=32, num_frames=4).eval()
    with torch.no_grad():
        small.temporal_pos_embedding.normal_(std=0.1)
    big = VideoMamba(arch=TINY, img_size=64, num_frames=8).eval()
    big.load_state_dict(small.state_dict(), strict=True)
    x = torch.randn(1, 3, 8, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(small(x), big(x))


def test_gradient_checkpointing_same_numbers():
    torch.manual_seed(0)
    plain = VideoMamba(arch=TINY, img_size=32, num_frames=2)
    ckpt = VideoMamba(arch=TINY, img_size=32, num_frames=2, with_cp=True)
    ckpt.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 2, 32, 32)
    for model in (plain, ckpt):
        model(x).sum().backward()
    torch.testing.assert_close(plain(x), ckpt(x))
    for (name, p), (_, q) in zip(
        plain.named_parameters(), ckpt.named_parameters()
    ):
        torch.testing.assert_close(p.grad, q.grad, msg=name)


def test_init_drop_path_and_eval_determinism():
    model = VideoMamba(
        arch=dict(embed_dims=32, num_layers=5), drop_path_rate=0.4
    )
    rates = [
        0.0 if layer.drop_path is None else layer.drop_path.drop_prob
        for layer in model.layers
    ]
    # Block i drops mixer i-1's output with (i-1) * rate / (depth - 1).
    assert rates == pytest.approx([0.0, 0.0, 0.1, 0.2, 0.3])
    assert model.drop_path_f.drop_prob == pytest.approx(0.4)
    assert torch.count_nonzero(model.cls_token) == 0
    assert torch.count_nonzero(model.temporal_pos_embedding) == 0
    mixer = model.layers[0].mixer
    assert torch.count_nonzero(mixer.dt_proj.bias) == 0
    assert torch.count_nonzero(mixer.dt_proj_b.bias) == 0
    assert model.pos_embed.std().item() == pytest.approx(0.02, rel=0.2)
    model.eval()
    x = torch.randn(1, 3, 2, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(model(x), model(x))


def test_layer_depth_and_no_weight_decay():
    model = VideoMamba(arch=TINY)
    depth = model.get_layer_depth
    assert depth('backbone.pos_embed', 'backbone.') == (0, 4)
    assert depth('backbone.patch_embed.proj.weight', 'backbone.') == (0, 4)
    assert depth('backbone.layers.1.mixer.A_log', 'backbone.') == (2, 4)
    assert depth('backbone.norm_f.weight', 'backbone.') == (3, 4)
    assert depth('backbone.temporal_pos_embedding', 'backbone.') == (3, 4)
    assert depth('cls_head.fc_cls.weight', 'backbone.') == (3, 4)
    # One channel: the _no_weight_decay tags the optimizer constructor reads.
    tagged = {
        n
        for n, p in model.named_parameters()
        if getattr(p, '_no_weight_decay', False)
    }
    assert {'cls_token', 'pos_embed', 'temporal_pos_embedding'} <= tagged
    assert not hasattr(model, 'no_weight_decay')


def test_mamba_init_mode_keeps_the_mixer_init():
    model = VideoMamba(arch=TINY, init_mode='mamba')
    bias = model.layers[1].mixer.dt_proj_b.bias
    # Mamba's dt init: softplus(bias) log-uniform in [0.001, 0.1].
    steps = torch.nn.functional.softplus(bias)
    assert steps.min() >= 0.001 - 1e-6 and steps.max() <= 0.1 + 1e-6
    x_proj = model.layers[0].mixer.x_proj.weight
    assert x_proj.std() > 0.04  # PyTorch's default, not trunc-normal(.02)


@pytest.mark.parametrize(
    'kwargs,message',
    [
        (dict(arch='huge'), 'arch'),
        (dict(arch=dict(embed_dims=8)), 'num_layers'),
        (dict(arch=dict(embed_dims=8, num_layers=1, heads=2)), 'heads'),
        (dict(arch=TINY, out_type='tokens'), 'out_type'),
        (dict(arch=TINY, num_frames=5, tubelet_size=2), 'tubelet'),
        (dict(arch=TINY, init_mode='timm'), 'init_mode'),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        VideoMamba(**kwargs)


def test_bad_input_shape():
    with pytest.raises(ValueError, match='NCTHW'):
        VideoMamba(arch=TINY)(torch.randn(1, 3, 224, 224))


def test_position_table_resizers():
    table = torch.randn(1, 1 + 16, 8)
    const = torch.ones(1, 1 + 16, 8)
    assert resize_spatial_pos_embed(table, (4, 4)) is table
    torch.testing.assert_close(
        resize_spatial_pos_embed(const, (6, 6)), torch.ones(1, 37, 8)
    )
    with pytest.raises(ValueError, match='square'):
        resize_spatial_pos_embed(torch.randn(1, 1 + 12, 8), (2, 2))
    torch.testing.assert_close(
        resize_temporal_pos_embed(torch.ones(1, 4, 8), 7), torch.ones(1, 7, 8)
    )


@pytest.mark.cuda
def test_k400_step_with_kernels_matches_torch_fallback(repo_root):
    """A K400-config training step: mamba-ssm kernels vs plain PyTorch."""
    pytest.importorskip('mamba_ssm')
    from mmaction.structures import ActionDataSample
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    cfg = Config.fromfile(
        f'{repo_root}/configs/videomamba/'
        'videomamba-tiny_in1k-pre_8xb64-u8-70e_kinetics400-rgb.py'
    )
    init_default_scope('mmvssm')
    cfg.model.backbone.update(init_cfg=None, drop_path_rate=0.0)
    cfg.model.data_preprocessor.pop('blending')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).cuda().train()
    gen = torch.Generator().manual_seed(0)
    inputs = [
        torch.randint(0, 256, (1, 3, 8, 224, 224), generator=gen)
        for _ in range(2)
    ]
    labels = [ActionDataSample().set_gt_label(i) for i in (3, 7)]
    results = {}
    for backend in ('mamba_ssm', 'chunked'):
        for module in model.modules():
            if hasattr(module, 'scan_backend'):
                module.scan_backend = backend
        model.zero_grad()
        data = model.data_preprocessor(
            dict(inputs=inputs, data_samples=labels), True
        )
        loss = model(**data, mode='loss')['loss_cls']
        loss.backward()
        grad = model.backbone.patch_embed.proj.weight.grad.clone()
        results[backend] = (loss.item(), grad)
    (loss_k, grad_k), (loss_t, grad_t) = results.values()
    assert abs(loss_k - loss_t) < 1e-3
    torch.testing.assert_close(grad_k, grad_t, rtol=1e-2, atol=1e-4)
