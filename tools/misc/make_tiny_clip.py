# Copyright (c) mmvssm contributors. All rights reserved.
"""Write a small generated CLIP checkpoint in OpenAI's state-dict layout.

The synthetic masked pre-training and retrieval configs use it as their
CLIP (teacher / text encoder), so they run end to end on CPU with no
downloaded weights::

    python tools/misc/make_tiny_clip.py checkpoints/tiny_clip_p8_w64.pth

The keys are OpenAI's (``visual.conv1.weight``, ``visual.proj``,
``token_embedding.weight``, ``text_projection``, ``logit_scale``, ...), so
the same loading code reads it as reads ``ViT-B-16.pt``. The weights are
random (seeded); the architecture defaults match the synthetic configs:
patch 8 on 64-pixel frames, width 64, 2 blocks, 2 heads, embedding 32.
"""

import argparse
import math
import os
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out', help='the .pth file to write')
    parser.add_argument('--patch-size', type=int, default=8)
    parser.add_argument('--img-size', type=int, default=64)
    parser.add_argument('--width', type=int, default=64)
    parser.add_argument('--depth', type=int, default=2)
    parser.add_argument('--num-heads', type=int, default=2)
    parser.add_argument('--embed-dims', type=int, default=32)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def make_tiny_clip_state_dict(
    patch_size: int = 8,
    img_size: int = 64,
    width: int = 64,
    depth: int = 2,
    num_heads: int = 2,
    embed_dims: int = 32,
    seed: int = 0,
) -> dict:
    """A random OpenAI-layout CLIP state dict (vision + text + logit scale).

    Returns:
        dict[str, torch.Tensor]: The tensors.
    """
    import torch

    from mmvssm.models.backbones.clip import CLIPVisionTransformer
    from mmvssm.models.text.clip_text import CLIPTextTransformer

    torch.manual_seed(seed)
    vision = CLIPVisionTransformer(
        arch=dict(
            patch_size=patch_size,
            width=width,
            depth=depth,
            num_heads=num_heads,
            embed_dims=embed_dims,
        ),
        img_size=img_size,
    )
    text = CLIPTextTransformer(
        arch=dict(
            width=width,
            depth=depth,
            num_heads=num_heads,
            embed_dims=embed_dims,
        )
    )
    state = {f'visual.{k}': v for k, v in vision.state_dict().items()}
    state.update(text.state_dict())
    state['logit_scale'] = torch.tensor(math.log(1 / 0.07))
    return {k: v.detach().clone().contiguous() for k, v in state.items()}


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    state = make_tiny_clip_state_dict(
        args.patch_size,
        args.img_size,
        args.width,
        args.depth,
        args.num_heads,
        args.embed_dims,
        args.seed,
    )
    folder = osp.dirname(osp.abspath(args.out))
    os.makedirs(folder, exist_ok=True)
    torch.save(state, args.out)
    print(f'wrote {args.out}: {len(state)} tensors')
    return 0


if __name__ == '__main__':
    sys.exit(main())
