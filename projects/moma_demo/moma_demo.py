# Copyright (c) mmvssm contributors. All rights reserved.
"""MoMa works: a frozen image model learns time order through SeqMod (CPU).

``python projects/moma_demo/moma_demo.py [--work-dir DIR]``

1. Pre-train a small ViT (mmvssm's CLIP vision encoder, 4 blocks, width 96)
   on **single frames** of the embedded synthetic motion set (real mp4s,
   decoded by decord, every frame in order): it recognises what one frame
   shows: the object's colour (4 hue bins), shape (5 to 8 vertices),
   position (4 x 4 cells), size (4 bins) and orientation (8 sectors of its
   dot). None of these labels says how the object moves. Save it as an
   OpenAI-format CLIP state dict (``visual.*``) and load it back through
   the project's weight loader.
2. Freeze it. On the temporal task (8 classes = 4 time-reversal pairs)
   train, on the same videos:

   (a) the frozen image model's frame-averaged features
       (``ln_post(cls)`` averaged over the frames) + a linear head;
   (b) MoMa on the same frozen model (2 x 2 windows, SeqMod in every block,
       window-order plus temporal-order scans, pooled patch tokens) + a
       linear head: only the SeqMods and the head train.

(a) cannot tell a clip from its time reversal (the frame averages are
identical up to video compression): at most about 50% top-1 on the test
split (all pairs told apart, the direction guessed), less where the frame
statistics do not give the pair away. (b) reads the order of the frames
and should reach >= 90%. The two test accuracies are printed on the last
lines; the training accuracies next to them show whether a head is
under-trained.
"""

import argparse
import colorsys
import json
import math
import os
import os.path as osp
import time
from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import nn

import mmvssm  # noqa: F401  (registries and stack fixes first)

NUM_FRAMES = 16  # rendered per video
CLIP_LEN = 8  # frames per clip (one per segment of 2)
RESOLUTION = 32
ARCH = dict(patch_size=8, width=96, depth=4, num_heads=4, embed_dims=64)
#: Single-frame pre-training tasks (columns of the split's frame labels)
#: and their numbers of classes.
FRAME_TASKS = dict(colour=4, shape=4, x=4, y=4, size=4, orientation=8)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--work-dir', default='work_dirs/moma_demo')
    parser.add_argument('--data-root', default='data/synthetic_motion_demo')
    parser.add_argument(
        '--train-videos',
        type=int,
        default=96,
        help='training videos per class',
    )
    parser.add_argument('--pretrain-epochs', type=int, default=15)
    parser.add_argument(
        '--pretrain-tasks',
        default='colour,shape,x,y,size,orientation',
        help=f'single-frame tasks, comma-separated, from {list(FRAME_TASKS)}',
    )
    parser.add_argument(
        '--pretrain-frame-step',
        type=int,
        default=4,
        help='pre-train on every n-th frame of each training video',
    )
    parser.add_argument('--pretrain-lr', type=float, default=1e-3)
    parser.add_argument('--moma-lr', type=float, default=3e-3)
    parser.add_argument('--probe-lr', type=float, default=3e-3)
    parser.add_argument('--probe-epochs', type=int, default=100)
    parser.add_argument('--moma-epochs', type=int, default=14)
    parser.add_argument('--window-size', type=int, default=2)
    parser.add_argument(
        '--extra-orders',
        default='temporal',
        help="MoMa's extra SSM scan orders, comma-separated ('' for none)",
    )
    parser.add_argument(
        '--image-model',
        default=None,
        help='reuse an image model saved by an earlier run (step 1 skipped)',
    )
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=None)
    return parser.parse_args(argv)


# -- data -------------------------------------------------------------------


def frame_pose(spec, num_frames: int) -> List[List[int]]:
    """Per-frame pose bins of a clip: what a single frame shows.

    Returns:
        list: ``num_frames`` rows of ``[x bin, y bin, size bin, orientation
        bin]``: the object's centre in 4 x 4 cells of the frame, its radius
        in 4 log-spaced bins (3.5 to 14 pixels at 32 x 32) and the direction
        of its orientation dot in 8 sectors.
    """
    from mmvssm.datasets.motion_render import _frame_state

    rows = []
    for t in range(num_frames):
        x, y, radius, angle = _frame_state(spec, t)
        size = math.log(radius * 32 / spec.width / 3.5) / math.log(4.0)
        rows.append(
            [
                min(max(int(4 * x / spec.width), 0), 3),
                min(max(int(4 * y / spec.height), 0), 3),
                min(max(int(4 * size), 0), 3),
                int(8 * (angle % (2 * math.pi)) / (2 * math.pi)) % 8,
            ]
        )
    return rows


def load_split(data_root: str, split: str, videos: int):
    """All frames of a split, decoded from its mp4s, plus labels.

    Returns:
        tuple: ``(N, 3, 16, H, W)`` float frames (normalised), motion labels
        ``(N,)`` and single-frame labels ``(N, 16, 6)``: hue bin, vertex
        count and the pose bins of :func:`frame_pose`.
    """
    from mmvssm.datasets import SyntheticMotionDataset
    from mmvssm.datasets.synthetic_motion import synthetic_motion_clips

    pipeline = [
        dict(type='DecordInit'),
        # Every frame in order (UniformSample would repeat one and drop the
        # last when clip_len equals the video length).
        dict(
            type='SampleFrames',
            clip_len=NUM_FRAMES,
            frame_interval=1,
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
    frames, motion, attrs = [], [], []
    for i in range(len(dataset)):
        item = dataset[i]
        info = dataset.get_data_info(i)
        rel = osp.relpath(info['filename'], data_root)
        spec = specs[rel]
        frames.append(item['inputs'][0].float())
        motion.append(info['label'])
        h = colorsys.rgb_to_hsv(*[c / 255 for c in spec.colour])[0]
        static = [int(h * 4) % 4, len(spec.vertex_angles) - 5]
        attrs.append([static + p for p in frame_pose(spec, NUM_FRAMES)])
    video = (torch.stack(frames) - 127.5) / 64.0
    return video, torch.tensor(motion), torch.tensor(attrs)


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


def pretrain_image_model(
    train,
    val,
    epochs: int,
    tasks: List[str],
    frame_step: int,
    lr: float,
    gen,
) -> nn.Module:
    """Single-frame recognition of ``tasks``; returns the ViT.

    Args:
        train (tuple): Split of :func:`load_split` to train on.
        val (tuple): Split to report single-frame accuracies on.
        epochs (int): Passes over the training frames.
        tasks (list[str]): Names from :data:`FRAME_TASKS`.
        frame_step (int): Use every ``frame_step``-th frame of each video.
        lr (float): Peak learning rate (one-cycle schedule).
        gen (torch.Generator): Shuffling.
    """
    from mmvssm.models.backbones import CLIPVisionTransformer

    vit = CLIPVisionTransformer(ARCH, img_size=RESOLUTION)
    columns = [list(FRAME_TASKS).index(t) for t in tasks]
    heads = nn.ModuleList(
        [nn.Linear(ARCH['embed_dims'], FRAME_TASKS[t]) for t in tasks]
    )
    params = list(vit.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.05)

    def frames_of(split):
        video, _, attrs = split
        video = video[:, :, ::frame_step]
        images = video.transpose(1, 2).flatten(0, 1)
        labels = attrs[:, ::frame_step][..., columns].flatten(0, 1)
        return images, labels

    images, labels = frames_of(train)
    steps = epochs * math.ceil(len(images) / 64)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    vit.train()
    for _ in range(epochs):
        for idx in batches(len(images), 64, True, gen):
            emb = vit.encode_image(images[idx])
            loss = sum(
                F.cross_entropy(head(emb), labels[idx, k])
                for k, head in enumerate(heads)
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    vit.eval()
    v_images, v_labels = frames_of(val)
    with torch.no_grad():
        emb = torch.cat(
            [
                vit.encode_image(v_images[i])
                for i in batches(len(v_images), 256, False)
            ]
        )
    scores = ', '.join(
        f'{t} {100 * accuracy(head(emb), v_labels[:, k]):.1f}%'
        for k, (t, head) in enumerate(zip(tasks, heads))
    )
    print(f'[1] image model on single val frames (top-1): {scores}')
    return vit


def save_openai_format(vit: nn.Module, path: str) -> None:
    """The ViT as an OpenAI / open_clip CLIP state dict (``visual.*``)."""
    state = {f'visual.{k}': v for k, v in vit.state_dict().items()}
    torch.save(state, path)


def train_classifier(
    model, head, train, test, epochs, lr, gen, name=''
) -> Tuple[float, float]:
    """Train ``head`` (and the trainable part of ``model``).

    Returns:
        tuple[float, float]: Test top-1 and the training top-1 of the last
        epoch (on the random training clips, as they were seen).
    """
    video, labels = train[0], train[1]
    params = [p for p in model.parameters() if p.requires_grad]
    params += list(head.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.05)
    steps = epochs * math.ceil(len(video) / 16)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps)
    for epoch in range(epochs):
        model.train()
        correct = 0
        for idx in batches(len(video), 16, True, gen):
            x = sample_clips(video[idx], True, gen)
            logits = head(model(x))
            loss = F.cross_entropy(logits, labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            correct += int((logits.argmax(-1) == labels[idx]).sum())
        train_acc = correct / len(video)
        if name:
            print(
                f'{name} epoch {epoch + 1}/{epochs}: train top-1 '
                f'{100 * train_acc:.1f}%',
                flush=True,
            )
    model.eval()
    with torch.no_grad():
        x = sample_clips(test[0], False)
        logits = torch.cat(
            [head(model(x[i])) for i in batches(len(x), 32, False)]
        )
    return accuracy(logits, test[1]), train_acc


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
        vit = pretrain_image_model(
            train,
            val,
            args.pretrain_epochs,
            args.pretrain_tasks.split(','),
            args.pretrain_frame_step,
            args.pretrain_lr,
            gen,
        )
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
    acc_a, train_a = train_classifier(
        _Features(), probe, *feats, args.probe_epochs, args.probe_lr, gen
    )
    print(
        f'[2a] frame average + linear head: test top-1 {100 * acc_a:.1f}% '
        f'(train {100 * train_a:.1f}%)',
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
        extra_orders=tuple(o for o in args.extra_orders.split(',') if o),
        out_type='pooled',
    )
    head = nn.Linear(ARCH['width'], 8)
    before = {k: v.clone() for k, v in moma.foundation.state_dict().items()}
    acc_b, train_b = train_classifier(
        moma, head, train, test, args.moma_epochs, args.moma_lr, gen, '[2b]'
    )
    unchanged = all(
        torch.equal(v, moma.foundation.state_dict()[k])
        for k, v in before.items()
    )
    print(
        f'[2b] MoMa ({moma.trainable_parameters / 1e3:.1f}k SeqMod '
        f'parameters trained, image model unchanged: {unchanged}): test '
        f'top-1 {100 * acc_b:.1f}% (train {100 * train_b:.1f}%)'
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
