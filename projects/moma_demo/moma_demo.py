# Copyright (c) mmvssm contributors. All rights reserved.
"""MoMa works: a frozen image model learns time order through SeqMod (CPU).

``python projects/moma_demo/moma_demo.py [--work-dir DIR]``

1. Pre-train a small ViT (mmvssm's CLIP vision encoder, 4 blocks, width 96)
   on **single frames** of the embedded synthetic motion set (real mp4s,
   decoded by decord): it recognises the object's colour (4 hue bins) and
   shape (5 to 8 vertices). Save it as an OpenAI-format CLIP state dict
   (``visual.*``) and load it back through the project's weight loader.
2. Freeze it. On the temporal task (8 classes = 4 time-reversal pairs)
   train, on the same videos:

   (a) the frozen image model's frame-averaged features
       (``ln_post(cls)`` averaged over the frames) + a linear head;
   (b) MoMa on the same frozen model (windowed attention, SeqMod in every
       block, pooled patch tokens) + a linear head: only the SeqMods and the
       head train.

(a) cannot tell a clip from its time reversal (the frame averages are
identical up to video compression): about 50% top-1 on the test split,
never much above. (b) reads the order of the frames and should reach
>= 90%. The two test accuracies are printed on the last lines.
"""

import argparse
import colorsys
import json
import math
import os
import os.path as osp
import time

import torch
import torch.nn.functional as F
from torch import nn

import mmvssm  # noqa: F401  (registries and stack fixes first)

NUM_FRAMES = 16  # rendered per video
CLIP_LEN = 8  # frames per clip (one per segment of 2)
RESOLUTION = 32
ARCH = dict(patch_size=8, width=96, depth=4, num_heads=4, embed_dims=64)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/moma_demo')
    parser.add_argument('--data-root', default='data/synthetic_motion_demo')
    parser.add_argument('--train-videos', type=int, default=48)
    parser.add_argument('--pretrain-epochs', type=int, default=8)
    parser.add_argument('--probe-epochs', type=int, default=100)
    parser.add_argument('--moma-epochs', type=int, default=8)
    parser.add_argument('--window-size', type=int, default=2)
    parser.add_argument(
        '--image-model',
        default=None,
        help='reuse an image model saved by an earlier run (step 1 skipped)',
    )
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=None)
    return parser.parse_args(argv)


# -- data -------------------------------------------------------------------


def load_split(data_root: str, split: str, videos: int):
    """All frames of a split, decoded from its mp4s, plus labels.

    Returns:
        tuple: ``(N, 3, 16, H, W)`` float frames (normalised), motion labels
        ``(N,)``, hue-bin labels ``(N,)`` and vertex-count labels ``(N,)``.
    """
    from mmvssm.datasets import SyntheticMotionDataset
    from mmvssm.datasets.synthetic_motion import synthetic_motion_clips

    pipeline = [
        dict(type='DecordInit'),
        dict(
            type='UniformSample',
            clip_len=NUM_FRAMES,
            num_clips=1,
            test_mode=True,
        ),
        dict(type='DecordDecode'),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]
    dataset = SyntheticMotionDataset(
        pipeline,
        data_root=data_root,
        split=split,
        num_videos_per_class=videos,
        num_frames=NUM_FRAMES,
        resolution=RESOLUTION,
        seed=0,
        test_mode=True,
    )
    specs = {p: s for p, _, s in synthetic_motion_clips(dataset.render_params)}
    frames, motion, hue, verts = [], [], [], []
    for i in range(len(dataset)):
        item = dataset[i]
        info = dataset.get_data_info(i)
        rel = osp.relpath(info['filename'], data_root)
        spec = specs[rel]
        frames.append(item['inputs'][0].float())
        motion.append(info['label'])
        h = colorsys.rgb_to_hsv(*[c / 255 for c in spec.colour])[0]
        hue.append(int(h * 4) % 4)
        verts.append(len(spec.vertex_angles) - 5)
    video = (torch.stack(frames) - 127.5) / 64.0
    return (
        video,
        torch.tensor(motion),
        torch.tensor(hue),
        torch.tensor(verts),
    )


def sample_clips(video: torch.Tensor, train: bool, gen=None) -> torch.Tensor:
    """8 of the 16 frames: one per segment, random in training."""
    seg = NUM_FRAMES // CLIP_LEN
    base = torch.arange(CLIP_LEN) * seg
    if train:
        offs = torch.randint(seg, (video.shape[0], CLIP_LEN), generator=gen)
    else:
        offs = torch.full((video.shape[0], CLIP_LEN), seg // 2)
    idx = (base + offs)[:, None, :, None, None].expand(
        -1, 3, -1, *video.shape[-2:]
    )
    return video.gather(2, idx)


def batches(n: int, size: int, shuffle: bool, gen=None):
    order = torch.randperm(n, generator=gen) if shuffle else torch.arange(n)
    for i in range(0, n, size):
        yield order[i : i + size]


# -- models -----------------------------------------------------------------


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return float((logits.argmax(-1) == labels).float().mean())


def pretrain_image_model(train, val, epochs: int, gen) -> nn.Module:
    """Single-frame colour + shape recognition; returns the ViT."""
    from mmvssm.models.backbones import CLIPVisionTransformer

    vit = CLIPVisionTransformer(ARCH, img_size=RESOLUTION)
    heads = nn.ModuleList([nn.Linear(ARCH['embed_dims'], 4) for _ in (0, 1)])
    params = list(vit.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.05)

    def frames_of(split):
        video, _, hue, verts = split
        video = video[:, :, ::4]  # 4 of the 16 frames of each video
        t = video.shape[2]
        images = video.transpose(1, 2).flatten(0, 1)
        return images, hue.repeat_interleave(t), verts.repeat_interleave(t)

    images, hue, verts = frames_of(train)
    steps = epochs * math.ceil(len(images) / 64)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 1e-3, total_steps=steps)
    vit.train()
    for _ in range(epochs):
        for idx in batches(len(images), 64, True, gen):
            img = images[idx]
            flip = torch.rand(len(idx), generator=gen) < 0.5
            img = torch.where(flip[:, None, None, None], img.flip(-1), img)
            emb = vit.encode_image(img)
            loss = F.cross_entropy(heads[0](emb), hue[idx])
            loss = loss + F.cross_entropy(heads[1](emb), verts[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    vit.eval()
    v_images, v_hue, v_verts = frames_of(val)
    with torch.no_grad():
        emb = torch.cat(
            [
                vit.encode_image(v_images[i])
                for i in batches(len(v_images), 256, False)
            ]
        )
    print(
        f'[1] image model on single val frames: colour '
        f'{100 * accuracy(heads[0](emb), v_hue):.1f}%, shape '
        f'{100 * accuracy(heads[1](emb), v_verts):.1f}% top-1'
    )
    return vit


def save_openai_format(vit: nn.Module, path: str) -> None:
    """The ViT as an OpenAI / open_clip CLIP state dict (``visual.*``)."""
    state = {f'visual.{k}': v for k, v in vit.state_dict().items()}
    torch.save(state, path)


def train_classifier(model, head, train, test, epochs, lr, gen, clips=True):
    """Train ``head`` (and the trainable part of ``model``); test top-1."""
    video, labels = train[0], train[1]
    params = [p for p in model.parameters() if p.requires_grad]
    params += list(head.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.05)
    steps = epochs * math.ceil(len(video) / 16)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    for _ in range(epochs):
        model.train()
        for idx in batches(len(video), 16, True, gen):
            x = sample_clips(video[idx], True, gen)
            loss = F.cross_entropy(head(model(x)), labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    model.eval()
    with torch.no_grad():
        x = sample_clips(test[0], False)
        logits = torch.cat(
            [head(model(x[i])) for i in batches(len(x), 32, False)]
        )
    return accuracy(logits, test[1])


def frame_features(vit: nn.Module, video: torch.Tensor) -> torch.Tensor:
    """``(N, 3, 16, H, W)`` -> frozen per-frame features ``(N, 3, 16, width)``
    laid out so that :func:`sample_clips` picks frames of them."""
    with torch.no_grad():
        feats = torch.cat(
            [vit(video[i]) for i in batches(len(video), 32, False)]
        )  # (N, 16, width)
    return feats[:, None].expand(-1, 3, -1, -1)


class _Features(nn.Module):
    """Frame average of precomputed features ``(N, 3, T, width, 1)``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, 0, :, :, 0].mean(dim=1)


def main(argv=None) -> int:
    from mmengine.registry import init_default_scope

    args = parse_args(argv)
    init_default_scope('mmvssm')
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    os.makedirs(args.work_dir, exist_ok=True)
    start = time.time()
    train = load_split(args.data_root, 'train', args.train_videos)
    val = load_split(args.data_root, 'val', 12)
    test = load_split(args.data_root, 'test', 12)
    print(
        f'data: {len(train[0])} train / {len(val[0])} val / '
        f'{len(test[0])} test videos, {NUM_FRAMES} frames of '
        f'{RESOLUTION}x{RESOLUTION}, clips of {CLIP_LEN} frames'
    )

    if args.image_model:
        weights = args.image_model
        print(f'[1] reusing the image model {weights}')
    else:
        vit = pretrain_image_model(train, val, args.pretrain_epochs, gen)
        weights = osp.join(args.work_dir, 'image_model_openai_format.pt')
        save_openai_format(vit, weights)
        print(f'[1] saved the image model to {weights}')

    from mmvssm.models.backbones import CLIPVisionTransformer, MoMa

    pretrained = dict(type='Pretrained', checkpoint=weights)
    # (a) Frozen image model, frame-averaged features, linear head.
    frozen = CLIPVisionTransformer(
        ARCH,
        img_size=RESOLUTION,
        out_type='cls',
        frozen=True,
        init_cfg=pretrained,
    )
    probe = nn.Linear(ARCH['width'], 8)
    feats = [
        (frame_features(frozen, split[0])[..., None], split[1])
        for split in (train, test)
    ]
    acc_a = train_classifier(
        _Features(), probe, *feats, args.probe_epochs, 3e-3, gen
    )
    print(
        f'[2a] frame average + linear head: test top-1 {100 * acc_a:.1f}%',
        flush=True,
    )

    # (b) MoMa on the same frozen image model.
    moma = MoMa(
        dict(
            type='CLIPVisionTransformer',
            arch=ARCH,
            img_size=RESOLUTION,
            init_cfg=pretrained,
        ),
        window_size=args.window_size,
        out_type='pooled',
    )
    head = nn.Linear(ARCH['width'], 8)
    before = {k: v.clone() for k, v in moma.foundation.state_dict().items()}
    acc_b = train_classifier(
        moma, head, train, test, args.moma_epochs, 3e-3, gen
    )
    unchanged = all(
        torch.equal(v, moma.foundation.state_dict()[k])
        for k, v in before.items()
    )
    print(
        f'[2b] MoMa ({moma.trainable_parameters / 1e3:.1f}k SeqMod '
        f'parameters trained, image model unchanged: {unchanged}): test '
        f'top-1 {100 * acc_b:.1f}%'
    )
    result = dict(
        frame_average_top1=round(100 * acc_a, 1),
        moma_top1=round(100 * acc_b, 1),
        seconds=round(time.time() - start),
        args=vars(args),
    )
    with open(osp.join(args.work_dir, 'result.json'), 'w') as f:
        json.dump(result, f, indent=1)
    print(f'frame average (a): {result["frame_average_top1"]}% top-1')
    print(f'MoMa (b): {result["moma_top1"]}% top-1')
    print(f'({result["seconds"]} s)')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
