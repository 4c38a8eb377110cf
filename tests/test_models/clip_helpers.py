# Copyright (c) mmvssm contributors. All rights reserved.
"""Small open_clip reference models shared by the CLIP / ViCLIP tests.

A module of its own (not conftest.py): several conftest modules exist, so
``from conftest import`` would be ambiguous.
"""

import torch

# A small CLIP: 64 wide, 2 blocks, 64-pixel images, embed 32.
TINY_VISION = dict(
    patch_size=16, width=64, depth=2, num_heads=2, embed_dims=32
)
TINY_TEXT = dict(width=64, depth=2, num_heads=2, embed_dims=32)


def build_open_clip(
    vision=TINY_VISION, text=TINY_TEXT, image_size=64, context_length=77
):
    """open_clip's CLIP (QuickGELU, random weights), eval mode, fp32."""
    from open_clip.model import CLIP, CLIPTextCfg, CLIPVisionCfg

    assert vision['embed_dims'] == text['embed_dims']
    model = CLIP(
        vision['embed_dims'],
        vision_cfg=CLIPVisionCfg(
            layers=vision['depth'],
            width=vision['width'],
            head_width=vision['width'] // vision['num_heads'],
            patch_size=vision['patch_size'],
            image_size=image_size,
        ),
        text_cfg=CLIPTextCfg(
            context_length=context_length,
            width=text['width'],
            heads=text['num_heads'],
            layers=text['depth'],
        ),
        quick_gelu=True,
    )
    # Perturb every value (biases start at zero) so that a wrongly routed
    # tensor shows.
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    return model.eval()


def save_traced(model, path: str, image_size: int) -> None:
    """Write ``model`` as OpenAI released CLIP: a traced TorchScript file."""
    jit = torch.jit.trace_module(
        model,
        dict(
            encode_image=(torch.randn(1, 3, image_size, image_size),),
            encode_text=(torch.zeros(1, 77, dtype=torch.long),),
        ),
        # nn.MultiheadAttention's fast path changes the graph between runs.
        check_trace=False,
    )
    torch.jit.save(jit, path)


def assert_same_features(vision, text, ref, image_size: int) -> None:
    """Our encoders' image / text features equal open_clip's (1e-5)."""
    images = torch.randn(2, 3, image_size, image_size)
    tokens = torch.randint(1, 49000, (2, 77))
    tokens[:, 20] = 49407  # end of text
    with torch.no_grad():
        torch.testing.assert_close(
            vision.encode_image(images),
            ref.encode_image(images),
            atol=1e-5,
            rtol=0,
        )
        torch.testing.assert_close(
            text(tokens), ref.encode_text(tokens), atol=1e-5, rtol=0
        )
