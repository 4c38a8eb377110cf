# Copyright (c) mmvssm contributors. All rights reserved.
"""Helpers that let a config row state only what differs from its base.

mmengine replaces a list whole when a child config sets it, and evaluates a
base before the child sees it, so a row that changes the clip length or the
resolution has to rebuild its pipelines from the merged base (which a
dict-style config reads as ``_base_``). These functions do that once, for
every row::

    _base_ = ['./videomamba-small_in1k-pre_8xb64-u8-50e_kinetics400-rgb.py']
    from mmvssm.utils import derive

    num_frames = 16
    pipelines = derive.retime(_base_, num_frames)
    ...

The import must come after ``_base_ = ...``: mmengine 0.10.7 reads a config
whose first statement imports a non-builtin module as a pure-Python
(``read_base``) config. Functions and modules never become config keys.
"""

from typing import Any, Dict, List, Optional, Sequence, Tuple

__all__ = [
    'retime',
    'resize',
    'update_transform',
    'with_pipelines',
    'official_lr',
    'warmup_cosine',
]

_PIPELINES = ('train_pipeline', 'val_pipeline', 'test_pipeline')
_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')

Pipeline = List[Dict[str, Any]]


def _pipelines(base: Any) -> Tuple[Pipeline, ...]:
    missing = [name for name in _PIPELINES if name not in base]
    if missing:
        raise KeyError(
            f'the base config defines no {", ".join(missing)}; derive '
            'pipelines only from a base that writes them out'
        )
    return tuple(base[name] for name in _PIPELINES)


def retime(base: Any, num_frames: int) -> Tuple[Pipeline, Pipeline, Pipeline]:
    """The base's train/val/test pipelines sampling ``num_frames`` frames.

    Args:
        base (ConfigDict): The merged base config (``_base_``).
        num_frames (int): The new ``clip_len`` of every sampling transform.

    Returns:
        tuple[list[dict]]: ``train_pipeline, val_pipeline, test_pipeline``.
    """
    return tuple(
        [dict(t, clip_len=num_frames) if 'clip_len' in t else t for t in p]
        for p in _pipelines(base)
    )


def _resized(transform: dict, img_size: int) -> dict:
    if transform['type'] == 'Resize':
        scale = tuple(img_size if s > 0 else s for s in transform['scale'])
        return dict(transform, scale=scale)
    if 'crop_size' in transform:
        return dict(transform, crop_size=img_size)
    return transform


def resize(base: Any, img_size: int) -> Tuple[Pipeline, Pipeline, Pipeline]:
    """The base's pipelines resized and cropped to ``img_size``.

    Every ``Resize`` keeps its ``-1`` (keep-ratio) sides and sets the others
    to ``img_size``; every transform with a ``crop_size`` crops to it.

    Args:
        base (ConfigDict): The merged base config (``_base_``).
        img_size (int): The new input resolution.

    Returns:
        tuple[list[dict]]: ``train_pipeline, val_pipeline, test_pipeline``.
    """
    return tuple([_resized(t, img_size) for t in p] for p in _pipelines(base))


def update_transform(
    pipeline: Sequence[dict], type: str, **kwargs
) -> Pipeline:
    """``pipeline`` with the arguments of its ``type`` transforms updated.

    Args:
        pipeline (list[dict]): A pipeline of the merged base.
        type (str): The transform's registered name, e.g.
            ``'VideoRandAugment'``.
        **kwargs: The arguments to set.

    Returns:
        list[dict]: The new pipeline.
    """
    if not any(t['type'] == type for t in pipeline):
        raise KeyError(f'the pipeline has no {type!r} transform to update')
    return [dict(t, **kwargs) if t['type'] == type else t for t in pipeline]


def with_pipelines(
    train: Optional[Pipeline] = None,
    val: Optional[Pipeline] = None,
    test: Optional[Pipeline] = None,
    batch_size: Optional[int] = None,
) -> Tuple[dict, dict, dict]:
    """Dataloader deltas that run the given pipelines.

    Args:
        train (list[dict], optional): The train pipeline. Defaults to None
            (the base's).
        val (list[dict], optional): The val pipeline. Defaults to None.
        test (list[dict], optional): The test pipeline. Defaults to None.
        batch_size (int, optional): Videos per GPU in training. Defaults to
            None (the base's).

    Returns:
        tuple[dict]: ``train_dataloader, val_dataloader, test_dataloader``
        deltas (empty dicts leave the base's loader as it is).
    """
    loaders = []
    for pipeline in (train, val, test):
        loaders.append(
            {} if pipeline is None else dict(dataset=dict(pipeline=pipeline))
        )
    if batch_size is not None:
        loaders[0] = dict(batch_size=batch_size, **loaders[0])
    return tuple(loaders)


def _round(value: float) -> float:
    # 1e-4 * 16 * 16 * 2 / 256 is 0.00020000000000000001 in floats.
    return float(f'{value:.12g}')


def official_lr(
    base_lr: float, gpus: int, videos: int, repeats: int = 2, **optimizer
) -> Tuple[dict, dict]:
    """The released recipes' learning-rate rule, as config deltas.

    ``lr = base_lr x gpus x videos x repeats / 256``, with mmengine's
    ``auto_scale_lr`` set to the batch the rule assumes (``gpus x videos``),
    so a run on another number of GPUs rescales it.

    Args:
        base_lr (float): The recipe's base LR (per 256 samples).
        gpus (int): GPUs of the released run.
        videos (int): Videos per GPU.
        repeats (int): Repeated-augmentation copies of each video.
            Defaults to 2.
        **optimizer: Other optimizer arguments of the row (e.g.
            ``weight_decay``).

    Returns:
        tuple[dict]: ``optim_wrapper, auto_scale_lr`` deltas.
    """
    lr = _round(base_lr * gpus * videos * repeats / 256)
    optim_wrapper = dict(optimizer=dict(lr=lr, **optimizer))
    return optim_wrapper, dict(base_batch_size=gpus * videos)


def warmup_cosine(
    base: Any,
    epochs: Optional[int] = None,
    warmup: Optional[int] = None,
    floor: Optional[float] = None,
) -> List[dict]:
    """The base's warm-up + cosine schedule with other epochs or floor.

    Args:
        base (ConfigDict): The merged base config (``_base_``) whose
            ``param_scheduler`` is ``[LinearLR, CosineAnnealingLR]``.
        epochs (int, optional): Total epochs. Defaults to None (the base's
            ``end``).
        warmup (int, optional): Warm-up epochs. Defaults to None (the
            base's).
        floor (float, optional): ``start_factor`` of the warm-up and
            ``eta_min_ratio`` of the cosine (the schedule starts from and
            decays to ``floor x lr``). Defaults to None (the base's).

    Returns:
        list[dict]: The new ``param_scheduler``.
    """
    linear, cosine = base['param_scheduler']
    linear, cosine = dict(linear), dict(cosine)
    if floor is not None:
        linear['start_factor'] = cosine['eta_min_ratio'] = floor
    if warmup is not None:
        linear['end'] = cosine['begin'] = warmup
    if epochs is not None:
        cosine['end'] = epochs
    if warmup is not None or epochs is not None:
        cosine['T_max'] = cosine['end'] - cosine['begin']
    return [linear, cosine]
