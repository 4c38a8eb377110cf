# Copyright (c) mmvssm contributors. All rights reserved.
"""Helpers that let a config row state only what differs from its base.

mmengine replaces a list whole when a child config sets it, and evaluates a
base before the child sees it, so a row that changes the clip length or the
resolution has to rebuild its pipelines from the merged base (which a
dict-style config reads as ``_base_``). These functions do that once, for
every row (and write the roots' pipelines and schedules)::

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
    'decord_pipeline',
    'eval_pipeline',
    'retime',
    'resize',
    'update_transform',
    'views',
    'with_pipelines',
    'with_files',
    'test_files',
    'base_novel_files',
    'video_eval',
    'classes',
    'text_classes',
    'model_size',
    'clip_size',
    'official_lr',
    'linear_cosine',
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


def decord_pipeline(
    sample: dict, transforms: Sequence[dict], **file_client_args
) -> Pipeline:
    """A decord pipeline: open, ``sample``, decode, ``transforms``, pack.

    Args:
        sample (dict): The frame sampling transform (e.g. ``UniformSample``).
        transforms (list[dict]): What runs on the decoded frames.
        **file_client_args: Arguments of ``DecordInit`` (e.g.
            ``io_backend='disk'``).

    Returns:
        list[dict]: ``DecordInit``, ``sample``, ``DecordDecode``, the
        transforms, ``FormatShape('NCTHW')`` and ``PackActionInputs``.
    """
    return [
        dict(type='DecordInit', **file_client_args),
        sample,
        dict(type='DecordDecode'),
        *transforms,
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs'),
    ]


def eval_pipeline(
    sample: dict,
    img_size: int,
    crop: str = 'CenterCrop',
    resize: Optional[dict] = None,
    **file_client_args,
) -> Pipeline:
    """A val/test pipeline: short side to ``img_size``, then ``crop``.

    Args:
        sample (dict): The frame sampling transform.
        img_size (int): Short side and crop size.
        crop (str): ``'CenterCrop'`` or ``'ThreeCrop'``. Defaults to
            ``'CenterCrop'``.
        resize (dict, optional): Other ``Resize`` arguments (e.g.
            ``interpolation='bicubic'``). Defaults to None.
        **file_client_args: Arguments of ``DecordInit``.

    Returns:
        list[dict]: The pipeline (see :func:`decord_pipeline`).
    """
    transforms = [
        dict(type='Resize', scale=(-1, img_size), **(resize or {})),
        dict(type=crop, crop_size=img_size),
    ]
    return decord_pipeline(sample, transforms, **file_client_args)


def retime(
    base: Any, num_frames: int, **sampling
) -> Tuple[Pipeline, Pipeline, Pipeline]:
    """The base's train/val/test pipelines sampling ``num_frames`` frames.

    Args:
        base (ConfigDict): The merged base config (``_base_``).
        num_frames (int): The new ``clip_len`` of every sampling transform.
        **sampling: Other arguments of the sampling transforms (e.g.
            ``frame_interval`` of ``SampleFrames``).

    Returns:
        tuple[list[dict]]: ``train_pipeline, val_pipeline, test_pipeline``.
    """
    return tuple(
        [
            dict(t, clip_len=num_frames, **sampling) if 'clip_len' in t else t
            for t in p
        ]
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


def views(base: Any, num_clips: int) -> Pipeline:
    """The base's test pipeline sampling ``num_clips`` clips per video.

    Args:
        base (ConfigDict): The merged base config (``_base_``).
        num_clips (int): Test clips (the crops stay the base's).

    Returns:
        list[dict]: The new ``test_pipeline``.
    """
    return update_transform(
        _pipelines(base)[2],
        _sampler(base['test_pipeline']),
        num_clips=num_clips,
    )


def _sampler(pipeline: Sequence[dict]) -> str:
    for t in pipeline:
        if 'num_clips' in t:
            return t['type']
    raise KeyError('the pipeline has no transform with num_clips')


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


def with_files(
    data_root: str,
    ann_file_train: Optional[str],
    ann_file_val: Optional[str],
    ann_file_test: Optional[str] = None,
    pipelines: Sequence[Optional[Pipeline]] = (None, None, None),
    batch_size: Optional[int] = None,
) -> Tuple[dict, dict, dict]:
    """Dataloader deltas that read another dataset's files.

    Args:
        data_root (str): The video folder (``data_prefix.video``).
        ann_file_train (str, optional): The training list; None leaves the
            base's train loader as it is.
        ann_file_val (str, optional): The validation list.
        ann_file_test (str, optional): The test list. Defaults to None (the
            validation list).
        pipelines (tuple): ``train, val, test`` pipelines to set with the
            files (None: the base's). Defaults to none.
        batch_size (int, optional): Videos per GPU in training.

    Returns:
        tuple[dict]: ``train_dataloader, val_dataloader, test_dataloader``.
    """
    loaders = with_pipelines(*pipelines, batch_size=batch_size)
    ann_files = (ann_file_train, ann_file_val, ann_file_test or ann_file_val)
    for loader, ann_file in zip(loaders, ann_files):
        if ann_file is not None:
            loader['dataset'] = dict(
                loader.get('dataset', {}),
                ann_file=ann_file,
                data_prefix=dict(video=data_root),
            )
    return loaders


def test_files(
    ann_file: str, data_root: str, pipeline: Optional[Pipeline] = None
) -> dict:
    """The test loader delta of a test-only row (zero-shot, retrieval).

    Args:
        ann_file (str): The test list.
        data_root (str): The video folder.
        pipeline (list[dict], optional): The test pipeline. Defaults to None
            (the base's).

    Returns:
        dict: The ``test_dataloader`` delta.
    """
    dataset = dict(ann_file=ann_file, data_prefix=dict(video=data_root))
    if pipeline is not None:
        dataset['pipeline'] = pipeline
    return dict(dataset=dataset)


def base_novel_files(
    splits: str,
    data_root: str,
    num_base_classes: int,
    num_novel_classes: int,
    pipelines: Sequence[Optional[Pipeline]] = (None, None, None),
) -> Tuple[dict, dict, dict]:
    """Loader deltas of a base-to-novel row on ViFi-CLIP's split lists.

    Training reads ``{splits}/fs_base_s1_train.txt``; validation and test
    read ``{splits}/base_val.txt`` and ``{splits}/novel_val.txt`` through the
    base's ``BaseNovelDataset``.

    Args:
        splits (str): The dataset's ``base2novel_splits`` folder.
        data_root (str): The video folder.
        num_base_classes (int): Classes of the base split.
        num_novel_classes (int): Classes of the novel split.
        pipelines (tuple): ``train, val, test`` pipelines (None: the
            base's). Defaults to none.

    Returns:
        tuple[dict]: ``train_dataloader, val_dataloader, test_dataloader``.
    """
    train, val, test = pipelines
    videos = dict(video=data_root)
    train_set = dict(ann_file=f'{splits}/fs_base_s1_train.txt')
    if train is not None:
        train_set['pipeline'] = train
    loaders = [dict(dataset=dict(train_set, data_prefix=videos))]
    for pipeline in (val, test):
        parts = {}
        for part in ('base', 'novel'):
            ann_file = f'{splits}/{part}_val.txt'
            parts[part] = dict(ann_file=ann_file, data_prefix=videos)
            if pipeline is not None:
                parts[part]['pipeline'] = pipeline
        dataset = dict(
            parts,
            num_base_classes=num_base_classes,
            num_novel_classes=num_novel_classes,
        )
        loaders.append(dict(dataset=dataset))
    return tuple(loaders)


def video_eval(base: Any, ann_file: str, data_root: str) -> Tuple[dict, dict]:
    """Val/test loader deltas on one ``VideoDataset`` list.

    The base's val/test datasets (e.g. a ``BaseNovelDataset``) are replaced
    (``_delete_``); they run the base's ``val_pipeline`` and
    ``test_pipeline``.

    Args:
        base (ConfigDict): The merged base config (``_base_``).
        ann_file (str): The val/test list.
        data_root (str): The video folder.

    Returns:
        tuple[dict]: ``val_dataloader, test_dataloader`` deltas.
    """
    dataset = dict(
        _delete_=True,
        type='VideoDataset',
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        test_mode=True,
    )
    return tuple(
        dict(dataset=dict(dataset, pipeline=base[name]))
        for name in ('val_pipeline', 'test_pipeline')
    )


def classes(base: Any, num_classes: int) -> dict:
    """The model delta of a classifier with ``num_classes`` classes.

    Sets the head's ``num_classes`` and, when the base mixes batches
    (``data_preprocessor.blending``), the mixup/cutmix ``num_classes`` too.

    Args:
        base (ConfigDict): The merged base config (``_base_``).
        num_classes (int): The dataset's classes.

    Returns:
        dict: The ``model`` delta.
    """
    model = dict(cls_head=dict(num_classes=num_classes))
    blending = base['model'].get('data_preprocessor', {}).get('blending')
    if blending:
        mix = [dict(a, num_classes=num_classes) for a in blending.augments]
        model['data_preprocessor'] = dict(blending=dict(augments=mix))
    return model


def text_classes(
    class_names: str,
    descriptions: Optional[str] = None,
    base_novel: bool = False,
    **text_branch,
) -> dict:
    """The model delta of a video-text row's class names and descriptions.

    Args:
        class_names (str): A class-name list (a name or a file). With
            ``base_novel``, a template with one ``{}`` for ``'base'`` and
            ``'novel'``.
        descriptions (str, optional): A description file template with one
            ``{}`` for ``'s'`` (spatial) and ``'t'`` (temporal). Defaults to
            None (the base's descriptions).
        base_novel (bool): Set ``class_names`` and ``novel_class_names``
            from the template. Defaults to False.
        **text_branch: Other text-branch arguments.

    Returns:
        dict: The ``model`` delta (``cls_head.text_branch``).
    """
    branch = dict(class_names=class_names)
    if base_novel:
        branch = dict(
            class_names=class_names.format('base'),
            novel_class_names=class_names.format('novel'),
        )
    if descriptions is not None:
        branch.update(
            spatial_descriptions=descriptions.format('s'),
            temporal_descriptions=descriptions.format('t'),
        )
    return dict(cls_head=dict(text_branch=dict(branch, **text_branch)))


def model_size(
    arch: str,
    in_channels: int,
    drop_path_rate: float,
    checkpoint: Optional[str] = None,
) -> dict:
    """The model delta of another backbone size (e.g. VideoMamba-S).

    Args:
        arch (str): The backbone's ``arch``.
        in_channels (int): The head's input width (the backbone's).
        drop_path_rate (float): The backbone's drop path.
        checkpoint (str, optional): Its pretrained weights. Defaults to None
            (the base's ``init_cfg``).

    Returns:
        dict: The ``model`` delta.
    """
    backbone = dict(arch=arch, drop_path_rate=drop_path_rate)
    if checkpoint is not None:
        backbone['init_cfg'] = dict(checkpoint=checkpoint)
    return dict(backbone=backbone, cls_head=dict(in_channels=in_channels))


def clip_size(arch: str, checkpoint: str, embed_dims: int) -> dict:
    """The model delta of another CLIP size under a MoMa model.

    Both encoders (the backbone's frozen ``foundation`` and the text
    branch's) take ``arch`` and load ``checkpoint``; the head reads
    ``embed_dims``-wide embeddings.

    Args:
        arch (str): The CLIP arch, e.g. ``'l14'``.
        checkpoint (str): The OpenAI weights of that size.
        embed_dims (int): The joint embedding width (768 for L/14).

    Returns:
        dict: The ``model`` delta.
    """
    encoder = dict(
        arch=arch, init_cfg=dict(type='Pretrained', checkpoint=checkpoint)
    )
    return dict(
        backbone=dict(foundation=encoder),
        cls_head=dict(
            in_channels=embed_dims, text_branch=dict(text_encoder=encoder)
        ),
    )


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


def linear_cosine(
    epochs: float, warmup: float, start_factor: float, **cosine
) -> List[dict]:
    """A per-iteration linear warm-up, then cosine decay to ``epochs``.

    Args:
        epochs (float): Total epochs.
        warmup (float): Warm-up epochs.
        start_factor (float): The warm-up's first LR factor.
        **cosine: The decay's floor: ``eta_min`` or ``eta_min_ratio``.

    Returns:
        list[dict]: ``[LinearLR, CosineAnnealingLR]``.
    """
    iters = dict(by_epoch=True, convert_to_iter_based=True)
    return [
        dict(
            type='LinearLR',
            start_factor=start_factor,
            begin=0,
            end=warmup,
            **iters,
        ),
        dict(
            type='CosineAnnealingLR',
            T_max=epochs - warmup,
            begin=warmup,
            end=epochs,
            **cosine,
            **iters,
        ),
    ]


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
