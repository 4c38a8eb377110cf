# Copyright (c) mmvssm contributors. All rights reserved.
"""UMT-style masked pre-training of VideoMamba (VideoMamba paper §4.7).

A frozen CLIP image encoder (the teacher) sees every frame; the VideoMamba
student sees only the visible tokens of a mask (cls token always visible,
sequence order kept) and learns to predict, through a small decoder, the
teacher's L2-normalised projected tokens at those positions. The loss is
``2 - 2 cos`` averaged over visible tokens (and over aligned layers).
The student is stored as ``backbone`` and the decoders as
``clip_decoder``, so a fine-tuning config loads the checkpoint with
``load_from`` (``backbone.*`` matches a ``Recognizer3D``) or with the
backbone's ``init_cfg`` (the VideoMamba checkpoint adaptation drops
``clip_decoder.*``). The teacher is left out of saved checkpoints; it
reloads its weights from its own ``init_cfg`` when built.
"""

from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor, nn

from mmvssm.registry import MODELS

from ..layers.masking import MASK_TYPES, generate_mask
from ..utils.frozen import exclude_frozen_from_checkpoint

__all__ = ['UMTPretrainer', 'sinusoid_table']


def sinusoid_table(length: int, dims: int) -> Tensor:
    """The fixed sine/cosine position table ``(length, dims)``."""
    position = torch.arange(length, dtype=torch.float64)[:, None]
    index = torch.arange(dims, dtype=torch.float64)[None]
    angle = position / torch.pow(10000.0, 2 * (index // 2) / dims)
    table = torch.where(index % 2 == 0, torch.sin(angle), torch.cos(angle))
    return table.float()


@MODELS.register_module()
class UMTPretrainer(BaseModel):
    """Masked VideoMamba student aligned with a frozen CLIP teacher.

    Args:
        backbone (dict): The student, a :class:`VideoMamba` config.
        teacher (dict): The teacher, a :class:`CLIPVisionTransformer` config
            (weights from its ``init_cfg``); frozen whatever it says. Its
            patch grid must equal the student's.
        mask_type (str): One of ``random``, ``tube``, ``clip_row``,
            ``frame_row``, ``attention``. Defaults to ``'attention'``
            (the paper's).
        mask_ratio (float): Fraction of patch tokens hidden. Defaults to 0.8.
        num_align_layers (int): Align the last this many layers of student
            and teacher (1 = final outputs only, the paper's best "Last 1";
            more adds intermediate block outputs, paired from the end).
            Defaults to 1.
        student_final (str): What the decoder reads for the last layer:
            ``'norm'`` (the ``norm_f`` output) or ``'stream'`` (the residual
            stream after the last block, un-normalized). The official code
            feeds the stream entering the last block; we align real block
            outputs. Defaults to ``'norm'``.
        add_pos_table (bool): Add a fixed sinusoidal position table at the
            visible positions before the decoder, as the official head.
            Defaults to True.
        data_preprocessor (dict, optional): Defaults to None.
        init_cfg (dict, optional): Defaults to None.
    """

    STUDENT_FINAL = ('norm', 'stream')

    def __init__(
        self,
        backbone: Dict,
        teacher: Dict,
        mask_type: str = 'attention',
        mask_ratio: float = 0.8,
        num_align_layers: int = 1,
        student_final: str = 'norm',
        add_pos_table: bool = True,
        data_preprocessor: Optional[Dict] = None,
        init_cfg: Optional[Union[Dict, List[Dict]]] = None,
    ) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg
        )
        if mask_type not in MASK_TYPES:
            raise ValueError(
                f'UMTPretrainer mask_type {mask_type!r} is unknown; choose '
                f'from {MASK_TYPES}'
            )
        if student_final not in self.STUDENT_FINAL:
            raise ValueError(
                f'UMTPretrainer student_final must be one of '
                f'{self.STUDENT_FINAL}, got {student_final!r}'
            )
        self.mask_type = mask_type
        self.mask_ratio = float(mask_ratio)
        self.student_final = student_final
        self.add_pos_table = add_pos_table
        self.backbone = MODELS.build(backbone)
        self.teacher = MODELS.build(dict(teacher, frozen=True))
        if tuple(self.teacher.grid_size) != tuple(self.backbone.grid_size):
            raise ValueError(
                f'UMTPretrainer: the teacher patch grid '
                f'{tuple(self.teacher.grid_size)} differs from the student '
                f'grid {tuple(self.backbone.grid_size)}; give the teacher '
                'the img_size that makes them equal'
            )
        depth_s = self.backbone.num_layers
        depth_t = len(self.teacher.blocks)
        if not 1 <= num_align_layers <= min(depth_s, depth_t):
            raise ValueError(
                f'num_align_layers must be in [1, {min(depth_s, depth_t)}], '
                f'got {num_align_layers}'
            )
        self.num_align_layers = num_align_layers
        dims, target = self.backbone.embed_dims, self.teacher.embed_dims
        self.clip_decoder = nn.ModuleList(
            nn.Sequential(nn.Linear(dims, target), nn.LayerNorm(target))
            for _ in range(num_align_layers)
        )
        exclude_frozen_from_checkpoint(self)

    # ---- teacher ---------------------------------------------------------
    @torch.no_grad()
    def teacher_targets(self, inputs: Tensor) -> Dict[str, Tensor]:
        """The frozen teacher's targets for clips ``(N, 3, T, H, W)``.

        Every frame goes through the CLIP encoder; the tokens of each
        aligned block go through ``ln_post`` and ``proj`` and are
        L2-normalised; within a student tubelet the frames are averaged
        (and renormalised); the cls target is the frame mean.

        Returns:
            dict: ``targets`` list (one per aligned layer, in order, last
            block last) of ``(N, 1 + T'*h*w, D)`` and ``attention``
            ``(N, T', h*w)``: the last block's cls-to-patch attention.
        """
        teacher = self.teacher
        n, _, t = inputs.shape[:3]
        tub = self.backbone.tubelet_size
        frames = inputs.transpose(1, 2).flatten(0, 1)
        x = teacher.embed_frames(frames)
        blocks = list(teacher.blocks)
        first_aligned = len(blocks) - self.num_align_layers
        layers, attention = [], None
        for i, block in enumerate(blocks):
            if i == len(blocks) - 1:
                normed = block.ln_1(x)
                attn = block.attn(normed, normed, normed, need_weights=True)[
                    1
                ]  # (B, L, L), averaged over heads
                attention = attn[:, 0, 1:]
            x = block(x)
            if i >= first_aligned:
                layers.append(x)
        targets = []
        for tokens in layers:
            feat = F.normalize(teacher.ln_post(tokens) @ teacher.proj, dim=-1)
            feat = feat.reshape(n, t // tub, tub, *feat.shape[1:]).mean(2)
            cls = feat[:, :, 0].mean(1, keepdim=True)
            patches = feat[:, :, 1:].flatten(1, 2)
            targets.append(
                F.normalize(torch.cat([cls, patches], dim=1), dim=-1)
            )
        attention = attention.reshape(n, t // tub, tub, -1).mean(2)
        return dict(targets=targets, attention=attention)

    # ---- student ---------------------------------------------------------
    def make_mask(
        self, n: int, frames: int, attention: Optional[Tensor], grid=None
    ) -> Tensor:
        """The ``(N, T', h*w)`` mask (True = hidden) of this model's type."""
        return generate_mask(
            self.mask_type,
            n,
            frames,
            grid or self.backbone.grid_size,
            self.mask_ratio,
            attention=attention,
            device=attention.device if attention is not None else None,
        )

    def visible_index(self, mask: Tensor) -> Tensor:
        """Token indices ``(N, 1 + V)`` of the visible tokens, cls first."""
        n = mask.shape[0]
        keep = ~mask.flatten(1)
        counts = keep.sum(1)
        if not bool((counts == counts[0]).all()):
            raise ValueError('every clip of a batch must keep as many tokens')
        order = torch.arange(keep.shape[1], device=mask.device) + 1
        patches = order.expand(n, -1)[keep].view(n, -1)
        cls = torch.zeros(n, 1, dtype=patches.dtype, device=mask.device)
        return torch.cat([cls, patches], dim=1)

    def loss(self, inputs: Tensor, data_samples=None) -> Dict[str, Tensor]:
        """The alignment loss of a batch of clips ``(N, 3, T, H, W)``.

        Returns:
            dict: ``loss_align`` (mean over aligned layers of the mean
            ``2 - 2 cos`` over visible tokens).
        """
        out = self.teacher_targets(inputs)
        tokens = self.backbone.embed(inputs)
        n, _, dims = tokens.shape
        frames = inputs.shape[2] // self.backbone.tubelet_size
        patch = self.backbone.patch_size
        grid = (inputs.shape[3] // patch, inputs.shape[4] // patch)
        mask = self.make_mask(n, frames, out['attention'], grid)
        index = self.visible_index(mask)
        visible = tokens.gather(1, index[..., None].expand(-1, -1, dims))
        layers = list(range(-self.num_align_layers, 0))
        final, streams = self.backbone.forward_tokens(
            visible, return_layers=layers
        )
        if self.student_final == 'norm':
            streams[-1] = final
        if self.add_pos_table:
            table = sinusoid_table(tokens.shape[1], dims).to(final)
            pos = table[index]
        losses = []
        for decoder, feat, target in zip(
            self.clip_decoder, streams, out['targets']
        ):
            if self.add_pos_table:
                feat = feat + pos
            pred = F.normalize(decoder(feat.to(final.dtype)), dim=-1)
            target = target.gather(
                1, index[..., None].expand(-1, -1, target.shape[-1])
            )
            losses.append((2 - 2 * (pred * target).sum(-1)).mean())
        return dict(loss_align=torch.stack(losses).mean())

    def forward(
        self,
        inputs: Tensor,
        data_samples: Optional[Sequence] = None,
        mode: str = 'tensor',
    ):
        """``loss``: the alignment loss; ``tensor``: the student tokens.

        Args:
            inputs (Tensor): ``(N, 3, T, H, W)`` (or ``(N, 1, 3, T, H, W)``
                from the data preprocessor with one view).
            data_samples (Sequence, optional): Unused labels.
            mode (str): ``'loss'`` or ``'tensor'``. Defaults to 'tensor'.
        """
        if inputs.dim() == 6:
            inputs = inputs.flatten(0, 1)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'tensor':
            return self.backbone.forward_features(inputs)
        raise RuntimeError(
            f'UMTPretrainer has no {mode!r} mode: it pre-trains only '
            '(fine-tune the saved backbone with a recognizer config to '
            'evaluate)'
        )
