# Copyright (c) mmvssm contributors. All rights reserved.
"""Parameters and GFLOPs per view of a recognizer config.

``python tools/analysis_tools/get_flops.py CONFIG [--shape T H W]``

For VideoMamba backbones the count is exact by construction and needs no
real forward (the model runs on PyTorch's ``meta`` device, so even
64x384x384 is instant): hooks count convolutions, linear layers and norms,
and each bidirectional Mamba mixer is counted from its shapes, including the
selective scan at ``9 * L * D * N`` per direction (the estimate of
state-spaces/mamba#110). Convention: one multiply-add is one FLOP, as fvcore
(and mmengine) count.

Two totals are printed:

* ``all ops``: everything above.
* ``paper convention``: what fvcore saw when the VideoMamba authors counted
  (official code with LayerNorm): patch embedding, ``in_proj``, ``out_proj``,
  norms (5 per element) and the head. ``x_proj``, ``dt_proj``, the causal
  conv and the scan ran inside a custom autograd function and were not
  counted. This reproduces the paper's FLOPs column (e.g. 9 / 34 / 101 for
  Ti / S / M at 8x224x224, 2368 for M at 64x384x384).

Other backbones fall back to mmengine's ``get_model_complexity_info`` on a
real CPU forward, where every op runs in PyTorch and is counted (the backends
used are printed, from :func:`mmvssm.ops.kernel_availability`).
"""

import argparse
import math
import sys
from typing import Dict, Optional, Tuple

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from torch import nn

import mmvssm  # noqa: F401  (registries and stack fixes first)
from mmvssm.models.backbones import VideoMamba, VideoMambaBlock
from mmvssm.models.layers import BiMamba
from mmvssm.ops import kernel_availability
from mmvssm.registry import MODELS

# Flops per element fvcore gives a norm with an affine weight.
_NORM_FLOPS = 5


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Count parameters and GFLOPs per view of a recognizer'
    )
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--shape',
        type=int,
        nargs='+',
        default=None,
        help='input of one view: T H W (or 1 3 T H W); default: the '
        "backbone's num_frames and img_size",
    )
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs',
    )
    return parser.parse_args(argv)


class FlopCounter:
    """Forward hooks that add up FLOPs per category."""

    def __init__(self) -> None:
        self.flops: Dict[str, float] = {}
        self.paper = 0.0
        self.last_block_input = 0

    def add(self, kind: str, flops: float, paper: bool) -> None:
        self.flops[kind] = self.flops.get(kind, 0.0) + flops
        if paper:
            self.paper += flops

    def hook(self, module: nn.Module, inputs, output) -> None:
        if isinstance(module, nn.Linear):
            rows = output.numel() // module.out_features
            self.add(
                'linear',
                rows * module.in_features * module.out_features,
                paper=True,
            )
        elif isinstance(module, nn.modules.conv._ConvNd):
            per_out = module.in_channels // module.groups
            per_out *= math.prod(module.kernel_size)
            self.add('conv', output.numel() * per_out, paper=True)
        elif isinstance(module, VideoMambaBlock):
            # The block's RMSNorm runs functionally (fused with the residual
            # add), so it is counted here, on the residual stream.
            self.last_block_input = inputs[0].numel()
            self.add('norm', _NORM_FLOPS * inputs[0].numel(), paper=True)

    def mixer_forward(self, mixer: BiMamba):
        """A stand-in forward that counts the mixer from its shapes."""

        def forward(hidden: torch.Tensor, *args, **kwargs) -> torch.Tensor:
            batch, length, width = hidden.shape
            tokens = batch * length
            inner, state, rank = mixer.d_inner, mixer.d_state, mixer.dt_rank
            scans = (1 + mixer.num_extra_orders) * (2 if mixer.bimamba else 1)
            in_out = mixer.in_proj.out_features * width
            in_out += inner * mixer.out_proj.out_features
            self.add('linear', tokens * in_out, paper=True)
            per_scan = {
                'linear': tokens * inner * (rank + 2 * state)
                + tokens * rank * inner,
                'conv': tokens * inner * mixer.d_conv,
                'selective scan': 9 * tokens * inner * state,
            }
            for kind, flops in per_scan.items():
                self.add(kind, scans * flops, paper=False)
            return hidden.new_zeros(batch, length, mixer.out_proj.out_features)

        return forward


def views_per_video(cfg: Config) -> Optional[Tuple[int, int]]:
    """``(clips, crops)`` of the test pipeline, if it says."""
    try:
        pipeline = cfg.test_dataloader.dataset.pipeline
    except AttributeError:
        return None
    clips, crops = 1, 1
    for step in pipeline:
        if step['type'] in ('UniformSample', 'SampleFrames'):
            clips = step.get('num_clips', 1)
        crops = {'ThreeCrop': 3, 'TenCrop': 10}.get(step['type'], crops)
    return clips, crops


def count_videomamba(cfg: Config, shape: Tuple[int, ...]) -> None:
    """Print params and GFLOPs of a VideoMamba recognizer."""
    with torch.device('meta'):
        backbone = MODELS.build(cfg.model.backbone)
        head = (
            MODELS.build(cfg.model.cls_head)
            if cfg.model.get('cls_head')
            else None
        )
    parts = [m for m in (backbone, head) if m is not None]
    params = sum(p.numel() for m in parts for p in m.parameters())
    counter = FlopCounter()
    handles = []
    for part in parts:
        for module in part.modules():
            if isinstance(module, BiMamba):
                module.forward = counter.mixer_forward(module)
            else:
                handles.append(module.register_forward_hook(counter.hook))
    with torch.no_grad():
        feats = backbone(torch.empty(shape, device='meta'))
        if head is not None:
            head(feats)
    for handle in handles:
        handle.remove()
    # The final norm_f sees the same token grid as every block.
    counter.add('norm', _NORM_FLOPS * counter.last_block_input, paper=True)
    total = sum(counter.flops.values())
    t, h, w = shape[2:]
    print(
        f'model: {cfg.model.type} + {type(backbone).__name__}'
        f'({backbone.arch_settings})'
    )
    print(f'input per view: 3 x {t} x {h} x {w}')
    print(f'params: {params / 1e6:.2f} M ({params:,})')
    print(f'GFLOPs per view, all ops: {total / 1e9:.2f}')
    for kind, flops in sorted(counter.flops.items()):
        print(f'  {kind}: {flops / 1e9:.2f}')
    print(f'GFLOPs per view, paper convention: {counter.paper / 1e9:.2f}')
    views = views_per_video(cfg)
    if views is not None:
        clips, crops = views
        print(
            f'test views per video: {clips} clips x {crops} crops '
            f'(paper style: {counter.paper / 1e9:.0f} x {crops} x {clips})'
        )


def count_generic(cfg: Config, shape: Tuple[int, ...]) -> None:
    """mmengine's counter on a real forward of ``extract_feat``."""
    from mmengine.analysis import get_model_complexity_info

    model = MODELS.build(cfg.model).eval()
    model.forward = model.extract_feat
    info = get_model_complexity_info(model, shape[1:])
    print(f'input per view: {shape[1:]}')
    print(f'params: {info["params_str"]}')
    # The count traces a CPU forward: ops that would run in a CUDA kernel
    # run in PyTorch here and are counted.
    kernels = [
        f'{k.op}: {k.auto}' for k in kernel_availability('cpu').values()
    ]
    print(
        f'GFLOPs per view: {info["flops"] / 1e9:.2f} (traced on CPU; '
        f'backends {", ".join(kernels)})'
    )


def _drop_init_cfgs(cfg) -> None:
    if isinstance(cfg, dict):
        cfg.pop('init_cfg', None)
        for value in cfg.values():
            _drop_init_cfgs(value)


def _moma_frames(cfg: Config) -> Optional[int]:
    """Frames per clip of the test pipeline."""
    try:
        pipeline = cfg.test_dataloader.dataset.pipeline
    except AttributeError:
        return None
    for step in pipeline:
        if step['type'] in ('UniformSample', 'SampleFrames'):
            return step.get('clip_len')
    return None


def count_moma(cfg: Config, shape: Tuple[int, ...]) -> None:
    """Print params and GFLOPs per view of a MoMa backbone (meta device).

    Counted from shapes, as for VideoMamba: linear layers and convs by
    hooks, LayerNorms at 5 FLOPs per element, each frozen attention (in
    every window) as ``4 L C^2 + 2 L^2 C``, each SeqMod's bidirectional
    Mamba with its scan. The text head (class embeddings computed once) is
    not counted.
    """
    from mmvssm.models.backbones import MoMa

    backbone_cfg = cfg.model.backbone.to_dict()
    _drop_init_cfgs(backbone_cfg)
    with torch.device('meta'):
        backbone = MODELS.build(backbone_cfg)
    assert isinstance(backbone, MoMa)
    counter = FlopCounter()

    def attention_forward(attn: nn.MultiheadAttention):
        def forward(query, *args, **kwargs):
            batch, length, width = query.shape
            counter.add(
                'attention',
                batch * (4 * length * width**2 + 2 * length**2 * width),
                paper=True,
            )
            return query.new_zeros(batch, length, width), None

        return forward

    def norm_hook(module, inputs, output) -> None:
        counter.add('norm', _NORM_FLOPS * inputs[0].numel(), paper=True)

    handles = []
    for module in backbone.modules():
        if isinstance(module, BiMamba):
            module.forward = counter.mixer_forward(module)
        elif isinstance(module, nn.MultiheadAttention):
            module.forward = attention_forward(module)
        elif isinstance(module, nn.LayerNorm):
            handles.append(module.register_forward_hook(norm_hook))
        elif isinstance(module, (nn.Linear, nn.modules.conv._ConvNd)):
            handles.append(module.register_forward_hook(counter.hook))
    with torch.no_grad():
        backbone(torch.empty(shape, device='meta'))
    for handle in handles:
        handle.remove()
    total = sum(counter.flops.values())
    params = sum(p.numel() for p in backbone.parameters())
    trainable = backbone.trainable_parameters
    t, h, w = shape[2:]
    print(f'model: {cfg.model.type} + MoMa backbone')
    print(f'input per view: 3 x {t} x {h} x {w}')
    print(
        f'params: {params / 1e6:.2f} M, trainable (SeqMods) '
        f'{trainable / 1e6:.2f} M'
    )
    print(f'GFLOPs per view, all ops (SSM counted): {total / 1e9:.2f}')
    for kind, flops in sorted(counter.flops.items()):
        print(f'  {kind}: {flops / 1e9:.2f}')
    views = views_per_video(cfg)
    if views is not None:
        clips, crops = views
        print(
            f'test views per video: {clips} clips x {crops} crops '
            f'(paper style total: {total * clips * crops / 1e9:.0f})'
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmvssm'))
    backbone_cfg = cfg.model.backbone
    if args.shape is None and backbone_cfg.get('type') == 'MoMa':
        frames = _moma_frames(cfg)
        size = backbone_cfg.foundation.get('img_size', 224)
        if frames is not None:
            args.shape = [frames, size, size]
    if args.shape is None:
        frames = backbone_cfg.get('num_frames')
        size = backbone_cfg.get('img_size')
        if frames is None or size is None:
            sys.exit(
                'error: pass --shape T H W (the config names no '
                'num_frames/img_size)'
            )
        size = (size, size) if isinstance(size, int) else tuple(size)
        shape = (1, 3, frames, *size)
    elif len(args.shape) == 3:
        shape = (1, 3, *args.shape)
    elif len(args.shape) == 5 and args.shape[:2] == [1, 3]:
        shape = tuple(args.shape)
    else:
        sys.exit(f'error: --shape takes T H W or 1 3 T H W, got {args.shape}')
    backbone_cls = MODELS.get(backbone_cfg['type'])
    if backbone_cfg['type'] == 'MoMa':
        count_moma(cfg, shape)
    elif isinstance(backbone_cls, type) and issubclass(
        backbone_cls, VideoMamba
    ):
        count_videomamba(cfg, shape)
    else:
        count_generic(cfg, shape)
    return 0


if __name__ == '__main__':
    sys.exit(main())
