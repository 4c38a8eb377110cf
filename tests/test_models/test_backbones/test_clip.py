# Copyright (c) mmvssm contributors. All rights reserved.
import os
import os.path as osp

import pytest
import torch
from clip_helpers import (
    TINY_TEXT,
    TINY_VISION,
    assert_same_features,
    build_open_clip,
    save_traced,
)

from mmvssm.models.backbones import CLIPVisionTransformer
from mmvssm.models.layers import (
    clip_attention,
    clip_attention_step,
    clip_mlp_step,
)
from mmvssm.models.text import CLIPTextTransformer
from mmvssm.models.utils import FoundationWeightsError
from mmvssm.utils.torchscript_weights import read_torchscript_state_dict


def _vision(sd=None, **kwargs):
    model = CLIPVisionTransformer(arch=TINY_VISION, img_size=64, **kwargs)
    if sd is not None:
        model.load_foundation_weights(sd, 'test')
    return model.eval()


def test_image_features_equal_open_clip(tiny_open_clip):
    model = _vision(tiny_open_clip.state_dict())
    images = torch.randn(3, 3, 64, 64)
    with torch.no_grad():
        ours = model.encode_image(images)
        ref = tiny_open_clip.encode_image(images)
    assert ours.shape == (3, 32)
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=0)


def test_per_frame_outputs(tiny_open_clip):
    clip = torch.randn(2, 3, 4, 64, 64)
    frames = clip.transpose(1, 2).flatten(0, 1)
    with torch.no_grad():
        ref = tiny_open_clip.encode_image(frames).reshape(2, 4, 32)
        sd = tiny_open_clip.state_dict()
        embed = _vision(sd)(clip)
        video = _vision(sd, out_type='video')(clip)
        cls = _vision(sd, out_type='cls')(clip)
        tokens = _vision(sd, out_type='tokens')(clip)
    torch.testing.assert_close(embed, ref, atol=1e-5, rtol=0)
    torch.testing.assert_close(video, ref.mean(1), atol=1e-5, rtol=0)
    assert cls.shape == (2, 4, 64)
    assert tokens.shape == (2, 4, 1 + 16, 64)
    torch.testing.assert_close(tokens[:, :, 0], cls)
    # encode_video is the frame mean of CLIP's image embedding.
    model = _vision(sd)
    with torch.no_grad():
        torch.testing.assert_close(
            model.encode_video(clip), ref.mean(1), atol=1e-5, rtol=0
        )


def test_block_pieces_rebuild_the_block():
    model = _vision()
    block = model.blocks[0]
    x = torch.randn(2, 17, 64)
    with torch.no_grad():
        ref = block(x)
        ours = clip_mlp_step(block, clip_attention_step(block, x))
    torch.testing.assert_close(ours, ref, atol=1e-6, rtol=0)


def test_attention_on_token_subsets_and_padding():
    model = _vision()
    block = model.blocks[0]
    x = torch.randn(1, 16, 64)
    with torch.no_grad():
        # Two windows as batch rows equal each window on its own.
        windows = x.reshape(2, 8, 64)
        both = clip_attention(block, windows)
        first = clip_attention(block, windows[:1])
        torch.testing.assert_close(both[:1], first, atol=1e-6, rtol=0)
        # Padded keys are ignored.
        padded = torch.cat([windows[:1], torch.randn(1, 3, 64)], dim=1)
        mask = torch.zeros(1, 11, dtype=torch.bool)
        mask[:, 8:] = True
        out = clip_attention(block, padded, key_padding_mask=mask)
        torch.testing.assert_close(out[:, :8], first, atol=1e-6, rtol=0)


@pytest.mark.parametrize('size', [32, 96, 112])
def test_positional_embedding_resized_for_other_resolutions(
    tiny_open_clip, size
):
    sd = tiny_open_clip.state_dict()
    model = CLIPVisionTransformer(arch=TINY_VISION, img_size=size).eval()
    model.load_foundation_weights(sd, 'test')
    grid = size // 16
    assert model.positional_embedding.shape == (1 + grid * grid, 64)
    # CLS entry unchanged; the patch grid is resized, not cut.
    torch.testing.assert_close(
        model.positional_embedding[0], sd['visual.positional_embedding'][0]
    )
    images = torch.randn(2, 3, size, size)
    with torch.no_grad():
        # The 64-pixel model resizes on the fly to the same embedding.
        on_the_fly = _vision(sd).encode_image(images)
        torch.testing.assert_close(
            model.encode_image(images), on_the_fly, atol=1e-5, rtol=0
        )


def test_text_features_equal_open_clip(tiny_open_clip):
    from mmvssm.models.text import CLIPTokenizer

    model = CLIPTextTransformer(arch=TINY_TEXT).eval()
    model.load_foundation_weights(tiny_open_clip.state_dict(), 'test')
    texts = ['a photo of a cat.', 'Hello, World!', '', 'x ' * 100]
    tokens = CLIPTokenizer()(texts)
    with torch.no_grad():
        ours = model(tokens)
        ref = tiny_open_clip.encode_text(tokens)
        torch.testing.assert_close(ours, ref, atol=1e-5, rtol=0)
        torch.testing.assert_close(model.encode_texts(texts), ours)


def _openai_format(model):
    """A state dict as OpenAI's files hold it: fp16, with extra entries."""
    sd = {k: v.half() for k, v in model.state_dict().items()}
    sd['input_resolution'] = torch.tensor(224)
    sd['context_length'] = torch.tensor(77)
    sd['vocab_size'] = torch.tensor(49408)
    return sd


def test_traced_open_clip_archive_loads_through_init_cfg(
    tmp_path, tiny_open_clip
):
    # OpenAI released CLIP as traced archives of the whole model.
    model = tiny_open_clip
    path = tmp_path / 'ViT-tiny.pt'
    save_traced(model, str(path), 64)
    read = read_torchscript_state_dict(str(path))
    ref = model.state_dict()
    # The archive also holds tensor attributes (the causal mask).
    assert set(ref) <= set(read) and set(read) - set(ref) <= {'attn_mask'}
    for k, v in ref.items():
        assert torch.equal(read[k], v), k

    init_cfg = dict(type='Pretrained', checkpoint=str(path))
    vision = CLIPVisionTransformer(
        arch=TINY_VISION, img_size=64, init_cfg=init_cfg
    ).eval()
    text = CLIPTextTransformer(arch=TINY_TEXT, init_cfg=init_cfg).eval()
    vision.init_weights()  # keeps the loaded weights
    assert_same_features(vision, text, model, 64)


def test_missing_weight_file_is_one_line(tmp_path):
    path = str(tmp_path / 'checkpoints' / 'ViT-B-16.pt')
    with pytest.raises(FoundationWeightsError) as err:
        CLIPVisionTransformer(
            arch='b16', init_cfg=dict(type='Pretrained', checkpoint=path)
        )
    message = str(err.value)
    assert '\n' not in message
    assert path in message and 'ViT-B-16.pt' in message
    assert 'CLIP ViT-B/16' in message


def test_wrong_model_checkpoint_is_one_line(tmp_path, tiny_open_clip):
    other = dict(TINY_VISION, width=96, num_heads=3)
    torch.manual_seed(1)
    wrong = build_open_clip(vision=other)
    path = tmp_path / 'other.pth'
    torch.save(wrong.state_dict(), str(path))
    init_cfg = dict(type='Pretrained', checkpoint=str(path))
    with pytest.raises(FoundationWeightsError) as err:
        CLIPVisionTransformer(arch=TINY_VISION, img_size=64, init_cfg=init_cfg)
    message = str(err.value)
    assert '\n' not in message and 'width 96' in message
    # A text-only file holds no vision encoder.
    text_only = {
        k: v
        for k, v in tiny_open_clip.state_dict().items()
        if 'visual' not in k
    }
    torch.save(text_only, str(path))
    with pytest.raises(FoundationWeightsError, match='no CLIP vision'):
        CLIPVisionTransformer(arch=TINY_VISION, img_size=64, init_cfg=init_cfg)


def test_pickle_with_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ('ran',))

    path = tmp_path / 'evil.pth'
    torch.save({'conv1.weight': Evil()}, str(path))
    with pytest.raises(FoundationWeightsError, match='weights-only'):
        CLIPVisionTransformer(
            arch=TINY_VISION,
            img_size=64,
            init_cfg=dict(type='Pretrained', checkpoint=str(path)),
        )


def _check_real_arch(arch, vision, text, image_size):
    torch.manual_seed(0)
    ref = build_open_clip(vision=vision, text=text, image_size=image_size)
    sd = _openai_format(ref)
    ours_v = CLIPVisionTransformer(arch=arch).eval()
    ours_t = CLIPTextTransformer(arch=arch).eval()
    ours_v.load_foundation_weights(sd, 'openai')  # strict
    ours_t.load_foundation_weights(sd, 'openai')
    # The reference gets the same (fp16-rounded) values.
    ref.load_state_dict(
        {k: v.float() for k, v in sd.items() if k in ref.state_dict()}
    )
    assert_same_features(ours_v, ours_t, ref, image_size)


@pytest.mark.parametrize('arch', ['b32', 'b16', 'l14'])
def test_real_key_names_and_shapes_match_open_clip(arch):
    import open_clip
    from open_clip.model import CLIP

    name = dict(b32='ViT-B-32', b16='ViT-B-16', l14='ViT-L-14')[arch]
    with torch.device('meta'):
        cfg = open_clip.get_model_config(name)
        ref = CLIP(**cfg, quick_gelu=True).state_dict()
        vision = CLIPVisionTransformer(arch=arch).state_dict()
        text = CLIPTextTransformer(arch=arch).state_dict()
    ours = {f'visual.{k}': v.shape for k, v in vision.items()}
    ours.update({k: v.shape for k, v in text.items()})
    ours['logit_scale'] = torch.Size([])
    assert ours == {k: v.shape for k, v in ref.items()}


@pytest.mark.slow
def test_real_b16_openai_state_dict_loads_and_matches():
    vision = dict(
        patch_size=16, width=768, depth=12, num_heads=12, embed_dims=512
    )
    text = dict(width=512, depth=12, num_heads=8, embed_dims=512)
    _check_real_arch('b16', vision, text, 224)


@pytest.mark.slow
def test_real_l14_openai_state_dict_loads_and_matches():
    vision = dict(
        patch_size=14, width=1024, depth=24, num_heads=16, embed_dims=768
    )
    text = dict(width=768, depth=12, num_heads=12, embed_dims=768)
    _check_real_arch('l14', vision, text, 224)


@pytest.mark.skipif(
    not os.environ.get('MMVSSM_CLIP_WEIGHTS'),
    reason='set MMVSSM_CLIP_WEIGHTS=path/to/ViT-B-16.pt to check real weights',
)
def test_real_openai_weights_file():
    """OpenAI's released file: read safely, loaded strictly, = open_clip's."""
    from open_clip.model import build_model_from_openai_state_dict

    from mmvssm.models.utils import load_foundation_state_dict

    path = os.environ['MMVSSM_CLIP_WEIGHTS']
    name = osp.basename(path)
    arch = {'ViT-B-32.pt': 'b32', 'ViT-B-16.pt': 'b16', 'ViT-L-14.pt': 'l14'}
    init_cfg = dict(type='Pretrained', checkpoint=path)
    vision = CLIPVisionTransformer(arch=arch[name], init_cfg=init_cfg).eval()
    text = CLIPTextTransformer(arch=arch[name], init_cfg=init_cfg).eval()
    state = load_foundation_state_dict(path, 'OpenAI CLIP weights')
    # OpenAI's text blocks keep their causal mask as a tensor attribute.
    state = {k: v for k, v in state.items() if not k.endswith('attn_mask')}
    ref = build_model_from_openai_state_dict(state, cast_dtype=torch.float32)
    assert_same_features(vision, text, ref.float().eval(), 224)
    assert text.logit_scale == pytest.approx(100.0, rel=1e-3)
