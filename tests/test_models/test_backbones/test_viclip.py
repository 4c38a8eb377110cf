# Copyright (c) mmvssm contributors. All rights reserved.
import pytest
import torch

from mmvssm.models.backbones import (
    CLIPVisionTransformer,
    ViCLIPVisionTransformer,
)
from mmvssm.models.text import CLIPTextTransformer
from mmvssm.models.utils import FoundationWeightsError

TINY = dict(patch_size=16, width=64, depth=2, num_heads=2, embed_dims=32)
TINY_TEXT = dict(width=64, depth=2, num_heads=2, embed_dims=32)


def _viclip(**kwargs):
    torch.manual_seed(0)
    model = ViCLIPVisionTransformer(
        arch=TINY, num_frames=4, img_size=32, **kwargs
    ).eval()
    with torch.no_grad():
        model.temporal_positional_embedding.normal_()
    return model


def test_token_order_is_spatial_major():
    model = _viclip()
    video = torch.randn(2, 3, 4, 32, 32)
    with torch.no_grad():
        ours = model.embed_video(video)
        # Explicit construction: for each patch n, for each frame t.
        conv = model.conv1(video)  # (N, C, T, 2, 2)
        pos = model.positional_embedding
        temporal = model.temporal_positional_embedding[0]
        rows = []
        for b in range(2):
            seq = [model.class_embedding + pos[0]]
            for n in range(4):
                h, w = divmod(n, 2)
                for t in range(4):
                    seq.append(conv[b, :, t, h, w] + pos[1 + n] + temporal[t])
            rows.append(torch.stack(seq))
        expected = model.ln_pre(torch.stack(rows))
    assert ours.shape == (2, 1 + 4 * 4, 64)
    torch.testing.assert_close(ours, expected, atol=1e-6, rtol=0)
    # The grid helpers invert each other and follow the same order.
    grid = model.tokens_to_grid(ours[:, 1:], 4, (2, 2))
    assert grid.shape == (2, 64, 4, 2, 2)
    torch.testing.assert_close(model.grid_to_tokens(grid), ours[:, 1:])
    manual = (
        conv
        + pos[1:].t().reshape(1, 64, 1, 2, 2)
        + temporal.t().reshape(1, 64, 4, 1, 1)
    )
    manual = model.ln_pre(manual.movedim(1, -1)).movedim(-1, 1)
    torch.testing.assert_close(grid, manual, atol=1e-6, rtol=0)


def test_one_cls_over_all_frames_attends_jointly():
    model = _viclip()
    video = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        emb = model(video)
        changed = video.clone()
        changed[:, :, 3] += 1.0  # only the last frame
        assert emb.shape == (1, 32)
        assert not torch.allclose(model(changed), emb)
        # Full forward = tokens through the blocks, ln_post(cls) @ proj.
        tokens = model.forward_tokens(video)
        torch.testing.assert_close(
            emb, model.ln_post(tokens[:, 0]) @ model.proj
        )
        # Training mode masks nothing: same output, full token count.
        model.train()
        torch.testing.assert_close(model(video), emb)
        assert model.forward_tokens(video).shape == (1, 17, 64)


def test_other_clip_lengths_and_sizes():
    model = _viclip()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 8, 32, 32)).shape == (1, 32)
        assert model(torch.randn(1, 3, 32, 32)).shape == (1, 32)
        assert model(torch.randn(1, 3, 4, 48, 48)).shape == (1, 32)


def _original_vision_keys(depth):
    """ViCLIP's vision_encoder names, written out from its layout."""
    keys = [
        'conv1.weight',
        'class_embedding',
        'positional_embedding',
        'temporal_positional_embedding',
        'ln_pre.weight',
        'ln_pre.bias',
        'ln_post.weight',
        'ln_post.bias',
        'proj',
    ]
    for i in range(depth):
        for part in (
            'attn.in_proj_weight',
            'attn.in_proj_bias',
            'attn.out_proj.weight',
            'attn.out_proj.bias',
            'ln_1.weight',
            'ln_1.bias',
            'mlp.c_fc.weight',
            'mlp.c_fc.bias',
            'mlp.c_proj.weight',
            'mlp.c_proj.bias',
            'ln_2.weight',
            'ln_2.bias',
        ):
            keys.append(f'transformer.resblocks.{i}.{part}')
    return keys


def test_viclip_b16_counts_and_key_layout():
    with torch.device('meta'):
        vision = ViCLIPVisionTransformer(arch='b16')
        text = CLIPTextTransformer(arch='b16', context_length=32)
        clip_vision = CLIPVisionTransformer(arch='b16')
        clip_text = CLIPTextTransformer(arch='b16')
    assert set(vision.state_dict()) == set(_original_vision_keys(12))
    assert vision.conv1.weight.shape == (768, 3, 1, 16, 16)
    assert vision.temporal_positional_embedding.shape == (1, 8, 768)

    def count(m):
        return sum(p.numel() for p in m.parameters())

    temp = logit_scale = 1
    viclip = count(vision) + count(text) + temp
    clip = count(clip_vision) + count(clip_text) + logit_scale
    # CLIP ViT-B/16 (149.62M) + the temporal embedding, with the text
    # positional embedding for 32 instead of 77 tokens.
    assert clip == 149_620_737
    assert viclip == clip + 8 * 768 - (77 - 32) * 512
    assert round(viclip / 1e6, 1) == 149.6
    # Without the token embedding: the paper's full fine-tuning figure.
    assert round((viclip - 49408 * 512) / 1e6, 1) == 124.3


def _viclip_checkpoint(path, vision, text):
    state = {f'vision_encoder.{k}': v for k, v in vision.state_dict().items()}
    state.update(
        {f'text_encoder.{k}': v for k, v in text.state_dict().items()}
    )
    state['temp'] = torch.tensor(0.0125)
    torch.save({'model': state, 'epoch': 9}, str(path))


def test_viclip_checkpoint_loads_strictly(tmp_path):
    source_vision = _viclip()
    torch.manual_seed(3)
    source_text = CLIPTextTransformer(arch=TINY_TEXT, context_length=32)
    assert set(source_vision.state_dict()) == set(_original_vision_keys(2))
    path = tmp_path / 'ViCLIP-tiny.pth'
    _viclip_checkpoint(path, source_vision, source_text)

    init_cfg = dict(type='Pretrained', checkpoint=str(path))
    vision = ViCLIPVisionTransformer(
        arch=TINY, num_frames=4, img_size=32, init_cfg=init_cfg
    ).eval()
    text = CLIPTextTransformer(
        arch=TINY_TEXT, context_length=32, init_cfg=init_cfg
    ).eval()
    for ours, ref in ((vision, source_vision), (text, source_text)):
        for k, v in ref.state_dict().items():
            assert torch.equal(ours.state_dict()[k], v), k
    assert text.logit_scale == pytest.approx(80.0)
    video = torch.randn(1, 3, 4, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(vision(video), source_vision(video))

    # 8 frames from a 4-frame checkpoint: the temporal embedding resizes.
    longer = ViCLIPVisionTransformer(
        arch=TINY, num_frames=8, img_size=32, init_cfg=init_cfg
    )
    assert longer.temporal_positional_embedding.shape == (1, 8, 64)


def test_wrong_checkpoint_for_viclip_is_one_line(tmp_path):
    clip = CLIPVisionTransformer(arch=TINY, img_size=32)
    path = tmp_path / 'clip.pth'
    torch.save({f'visual.{k}': v for k, v in clip.state_dict().items()}, path)
    with pytest.raises(FoundationWeightsError) as err:
        ViCLIPVisionTransformer(
            arch=TINY,
            num_frames=4,
            img_size=32,
            init_cfg=dict(type='Pretrained', checkpoint=str(path)),
        )
    assert 'no ViCLIP vision encoder' in str(err.value)
    assert '\n' not in str(err.value)
