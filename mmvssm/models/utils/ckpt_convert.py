# Copyright (c) mmvssm contributors. All rights reserved.
"""Official VideoMamba checkpoints: unwrapping, key mapping, shape adaption.

One module for both users of the official files: the backbone's
load-state-dict pre-hook (:class:`~mmvssm.models.backbones.VideoMamba`) and
the model converter (``videomamba_official_to_mmvssm.py`` in the tools),
which writes a whole-recognizer checkpoint.
"""

import logging
from collections.abc import Mapping
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.logging import print_log
from torch import Tensor

from ..layers import (
    inflate_patch_weight,
    resize_spatial_pos_embed,
    resize_temporal_pos_embed,
)

__all__ = [
    'summarize_keys',
    'unwrap_state_dict',
    'convert_official_state_dict',
    'adapt_videomamba_shapes',
    'adapt_videomamba_checkpoint',
    'report_load_mismatches',
    'official_to_recognizer',
]

# Checkpoint wrappers: mmengine's ``state_dict``, the official image
# checkpoints' ``model`` and DDP/DeepSpeed's ``module``.
WRAPPER_KEYS = ('state_dict', 'model', 'module')
# Prefixes of the backbone inside other models' checkpoints.
BACKBONE_PREFIXES = ('backbone.', 'encoder.')


def summarize_keys(keys: Sequence[str], limit: int = 8) -> str:
    """Join keys for a log line, eliding the end of long lists.

    Args:
        keys (Sequence[str]): Keys to list.
        limit (int): How many to name. Defaults to 8.

    Returns:
        str: ``'a, b, ... (n more)'``.
    """
    keys = list(keys)
    if len(keys) <= limit:
        return ', '.join(keys)
    return ', '.join(keys[:limit]) + f', ... ({len(keys) - limit} more)'


def unwrap_state_dict(state_dict: dict) -> List[str]:
    """Unwrap checkpoint wrappers and backbone prefixes, in place.

    ``model``/``module``/``state_dict`` wrappers are opened, non-tensor
    entries dropped, and a ``backbone.``/``encoder.`` prefix stripped (keys
    outside it dropped).

    Args:
        state_dict (dict): The dict handed to ``load_state_dict``.

    Returns:
        list[str]: Notes on what was done, for the load report.
    """
    notes = []
    for wrapper in WRAPPER_KEYS:
        inner = state_dict.get(wrapper)
        if isinstance(inner, Mapping):
            others = [k for k in state_dict if k != wrapper]
            state_dict.clear()
            state_dict.update(inner)
            notes.append(f'unwrapped {wrapper!r}')
            if others:
                notes.append('ignored entries: ' + summarize_keys(others))
    others = [k for k, v in state_dict.items() if not torch.is_tensor(v)]
    for key in others:
        del state_dict[key]
    if others:
        notes.append('ignored non-tensor entries: ' + summarize_keys(others))
    for prefix in BACKBONE_PREFIXES:
        if not any(k.startswith(prefix) for k in state_dict):
            continue
        kept = {
            k[len(prefix) :]: v
            for k, v in state_dict.items()
            if k.startswith(prefix)
        }
        dropped = sorted(k for k in state_dict if not k.startswith(prefix))
        state_dict.clear()
        state_dict.update(kept)
        notes.append(f'took the {prefix!r} part')
        if dropped:
            notes.append(
                f'ignored {len(dropped)} keys outside {prefix!r}: '
                + summarize_keys(dropped)
            )
        break
    return notes


def convert_official_state_dict(
    state_dict: Dict[str, Tensor], prefix: str = ''
) -> Tuple[Dict[str, Tensor], Dict[str, Tensor], List[str]]:
    """Map official key names onto the backbone's, in a new dict.

    A masked-pretraining ``norm.weight`` becomes ``norm_f.weight`` (the
    official fine-tuning code leaves ``norm_f`` at its init of ones instead),
    its ``clip_decoder.*`` is dropped, and the classifier ``head.*`` is split
    off. Shapes are left to :func:`adapt_videomamba_shapes`.

    Args:
        state_dict (dict[str, Tensor]): Backbone keys under ``prefix``.
        prefix (str): Key prefix of the backbone. Defaults to ''.

    Returns:
        tuple: ``(backbone state dict, head state dict (keys 'weight' and
        'bias'), notes)``.
    """
    out, head, notes, decoder = {}, {}, [], []
    for key, value in state_dict.items():
        name = key[len(prefix) :] if key.startswith(prefix) else None
        if name is not None and name.startswith('clip_decoder.'):
            decoder.append(name)
        elif name is not None and name.startswith('head.'):
            head[name[len('head.') :]] = value
        else:
            out[key] = value
    norm, norm_f = prefix + 'norm.weight', prefix + 'norm_f.weight'
    if norm in out and norm_f not in out:
        out[norm_f] = out.pop(norm)
        notes.append('renamed norm.weight -> norm_f.weight')
    if decoder:
        notes.append(
            f'dropped the masked-pretraining decoder ({len(decoder)} '
            'clip_decoder.* keys)'
        )
    return out, head, notes


def adapt_videomamba_shapes(
    state_dict: dict,
    prefix: str,
    grid_size: Tuple[int, int],
    num_tubelets: int,
    tubelet_size: int,
) -> List[str]:
    """Fit patch kernels and position tables to a model, in place.

    ImageNet 2D patch kernels (and 1-frame tubelets for a model with longer
    ones) are centre-inflated; the spatial table is resized bicubically and
    the temporal one linearly (``align_corners=False``, as the official
    fine-tuning code).

    Args:
        state_dict (dict): Keys of the backbone under ``prefix``.
        prefix (str): Key prefix of the backbone.
        grid_size (tuple[int, int]): The model's patch grid ``(h, w)``.
        num_tubelets (int): The model's temporal positions.
        tubelet_size (int): The model's frames per token.

    Returns:
        list[str]: Notes on what was changed.
    """
    notes = []
    key = prefix + 'patch_embed.proj.weight'
    weight = state_dict.get(key)
    if weight is not None and weight.dim() == 4:
        state_dict[key] = inflate_patch_weight(weight, tubelet_size)
        notes.append(
            f'inflated patch_embed.proj.weight {tuple(weight.shape)} -> '
            f'{tuple(state_dict[key].shape)}'
        )
    elif (
        weight is not None
        and weight.dim() == 5
        and weight.shape[2] == 1
        and tubelet_size > 1
    ):
        state_dict[key] = inflate_patch_weight(weight[:, :, 0], tubelet_size)
        notes.append(
            f'inflated the tubelet of patch_embed.proj.weight 1 -> '
            f'{tubelet_size}'
        )
    key = prefix + 'pos_embed'
    pos = state_dict.get(key)
    if pos is not None and pos.shape[1] != 1 + grid_size[0] * grid_size[1]:
        side = int(round((pos.shape[1] - 1) ** 0.5))
        state_dict[key] = resize_spatial_pos_embed(pos, grid_size)
        notes.append(
            f'resized pos_embed {side}x{side} -> '
            f'{grid_size[0]}x{grid_size[1]} (bicubic)'
        )
    key = prefix + 'temporal_pos_embedding'
    pos = state_dict.get(key)
    if pos is not None and pos.shape[1] != num_tubelets:
        state_dict[key] = resize_temporal_pos_embed(pos, num_tubelets)
        notes.append(
            f'resized temporal_pos_embedding {pos.shape[1]} -> '
            f'{num_tubelets} (linear)'
        )
    return notes


def adapt_videomamba_checkpoint(
    state_dict: dict,
    prefix: str,
    grid_size: Tuple[int, int],
    num_tubelets: int,
    tubelet_size: int,
) -> None:
    """Adapt a checkpoint for a VideoMamba backbone under ``prefix``, in place.

    The body of the backbone's load-state-dict pre-hook: wrappers are opened
    (top-level loads only), official names mapped
    (:func:`convert_official_state_dict`), the classifier ``head.*`` left
    out (a top-level load) or handed back to the parent model (a nested
    one), and shapes fitted (:func:`adapt_videomamba_shapes`). What was done
    is logged in one line.

    Args:
        state_dict (dict): The dict handed to ``load_state_dict``.
        prefix (str): Key prefix of the backbone ('' for a direct load).
        grid_size (tuple[int, int]): The model's patch grid ``(h, w)``.
        num_tubelets (int): The model's temporal positions.
        tubelet_size (int): The model's frames per token.
    """
    notes = unwrap_state_dict(state_dict) if prefix == '' else []
    converted, head, more = convert_official_state_dict(state_dict, prefix)
    notes += more
    if head and prefix == '':
        classes = head['weight'].shape[0] if 'weight' in head else '?'
        notes.append(
            f'left out the classifier head.* ({classes} classes): the '
            'backbone has none; to keep it, convert the checkpoint with '
            'the VideoMamba model converter (official_to_recognizer in '
            'mmvssm.models.utils) and use load_from'
        )
    elif head:
        # A nested backbone never owns ``head.*``: put the keys back so
        # that the parent model reports them.
        converted.update({f'{prefix}head.{k}': v for k, v in head.items()})
    notes += adapt_videomamba_shapes(
        converted, prefix, grid_size, num_tubelets, tubelet_size
    )
    state_dict.clear()
    state_dict.update(converted)
    if notes:
        print_log(
            'VideoMamba checkpoint: ' + '; '.join(notes), logger='current'
        )


def report_load_mismatches(
    owner: str, prefix: Optional[str], incompatible_keys
) -> None:
    """Warn about the missing and unexpected keys of a module's load.

    Args:
        owner (str): Module name for the log line.
        prefix (str, optional): The module's key prefix in the load; None
            (no load through the module's pre-hook) reports nothing.
        incompatible_keys: The ``load_state_dict`` result (``missing_keys``
            and ``unexpected_keys``).
    """
    if prefix is None:
        return
    for kind, keys, consequence in (
        ('missing', incompatible_keys.missing_keys, 'left as initialized'),
        ('unexpected', incompatible_keys.unexpected_keys, 'not loaded'),
    ):
        mine = [k for k in keys if k.startswith(prefix)]
        if mine:
            print_log(
                f'{owner} checkpoint: {len(mine)} {kind} keys '
                f'({consequence}): {summarize_keys(mine)}',
                logger='current',
                level=logging.WARNING,
            )


def official_to_recognizer(
    state: dict, keep_head: bool = True
) -> Tuple[Dict[str, Tensor], List[str]]:
    """Turn an official checkpoint into a ``Recognizer3D`` state dict.

    The backbone goes under ``backbone.`` and the official ``head`` becomes
    ``cls_head.fc_cls`` (mmaction2's ``TimeSformerHead``). Shapes are kept:
    the backbone adapts them when the result is loaded into a model.

    Args:
        state (dict): The loaded official file (any wrapper).
        keep_head (bool): Keep the classifier. Defaults to True.

    Returns:
        tuple[dict, list[str]]: The new state dict and notes.
    """
    state = dict(state)
    notes = unwrap_state_dict(state)
    backbone, head, more = convert_official_state_dict(state)
    notes += more
    out = {f'backbone.{k}': v for k, v in backbone.items()}
    if head and keep_head:
        out.update({f'cls_head.fc_cls.{k}': v for k, v in head.items()})
        notes.append(
            f'head.* -> cls_head.fc_cls.* ({head["weight"].shape[0]} classes)'
        )
    elif head:
        notes.append('left out head.*')
    return out, notes
