# Copyright (c) mmvssm contributors. All rights reserved.
"""Predicting on videos with mmvssm configs and checkpoints.

mmaction2's APIs work for mmvssm once two things hold: mmvssm is imported
(its registries, and its checkpoint loader, which reads the checkpoints
``tools/train.py`` writes) and the default scope is the config's own
(``'mmvssm'``). mmaction2's inferencers hard-code ``scope='mmaction'``; the
classes here take the scope from the config instead, so that::

    from mmvssm.apis import MMAction2Inferencer
    inferencer = MMAction2Inferencer(rec=CONFIG, rec_weights=CHECKPOINT)
    inferencer('video.mp4')['predictions']

works without knowing about scopes.
"""

import os.path as osp
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
from mmaction.apis import inference_recognizer
from mmaction.apis.inferencers import (
    ActionRecogInferencer as _ActionRecogInferencer,
)
from mmaction.apis.inferencers import (
    MMAction2Inferencer as _MMAction2Inferencer,
)
from mmengine.config import Config

import mmvssm.registry  # noqa: F401  (registries and stack fixes)

__all__ = [
    'config_scope',
    'init_recognizer',
    'inference_recognizer',
    'top_k',
    'ActionRecogInferencer',
    'MMAction2Inferencer',
]

ConfigLike = Union[str, Config, dict]


def _load_config(config: ConfigLike) -> Config:
    if isinstance(config, Config):
        return config
    if isinstance(config, dict):
        return Config(config)
    if not osp.isfile(str(config)):
        raise FileNotFoundError(
            f'config file {str(config)!r} does not exist; pass the path of a '
            f'config, e.g. configs/videomamba/<name>.py'
        )
    return Config.fromfile(str(config))


def config_scope(config: ConfigLike) -> str:
    """The registry scope a config builds in (its ``default_scope``).

    Args:
        config (str | Config | dict): A config or its file.

    Returns:
        str: The scope; ``'mmvssm'`` when the config names none.
    """
    return _load_config(config).get('default_scope', None) or 'mmvssm'


def init_recognizer(
    config: ConfigLike,
    checkpoint: Optional[str] = None,
    device: str = 'cpu',
):
    """Build a recognizer from a config and load its checkpoint.

    What :func:`mmaction.apis.init_recognizer` does, in the config's scope,
    through mmvssm's weights-only loader, and keeping the checkpoint's
    ``dataset_meta`` (class names) as ``model.dataset_meta``.

    Args:
        config (str | Config | dict): The config or its file.
        checkpoint (str, optional): A checkpoint file. Defaults to None.
        device (str): Where the model runs. Defaults to 'cpu'.

    Returns:
        nn.Module: The recognizer in eval mode, with ``cfg`` set.
    """
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    from mmvssm.registry import MODELS

    config = _load_config(config)
    init_default_scope(config_scope(config))
    model = MODELS.build(config.model)
    model.dataset_meta = None
    if checkpoint is not None:
        loaded = load_checkpoint(model, checkpoint, map_location='cpu')
        meta = loaded.get('meta', {}) if isinstance(loaded, dict) else {}
        model.dataset_meta = meta.get('dataset_meta')
    model.cfg = config
    model.to(device)
    model.eval()
    return model


def top_k(
    scores: Sequence[float], classes: Optional[Sequence[str]], k: int = 5
) -> List[Tuple[str, float]]:
    """The ``k`` best classes of one prediction, best first.

    Args:
        scores (Sequence[float]): One score per class.
        classes (Sequence[str], optional): Class names in label order; the
            label index stands in for a missing name.
        k (int): How many. Defaults to 5.

    Returns:
        list[tuple[str, float]]: ``(class name, score)`` pairs.
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if classes is not None and len(classes) != len(scores):
        raise ValueError(
            f'the label file names {len(classes)} classes but the model '
            f'predicts {len(scores)}; pass the label map of the dataset the '
            f'checkpoint was trained on'
        )
    order = np.argsort(-scores)[:k]
    name = (lambda i: classes[i]) if classes is not None else str
    return [(name(int(i)), float(scores[i])) for i in order]


class ActionRecogInferencer(_ActionRecogInferencer):
    """mmaction2's recognition inferencer in the config's own scope.

    Args:
        model (str | Config | dict): The config or its file.
        weights (str, optional): A checkpoint file. Defaults to None.
        device (str, optional): Defaults to None (CUDA when available).
        label_file (str, optional): Class names, one a line.
            Defaults to None.
        input_format (str): 'video', 'array', 'rawframes' or 'frame'.
            Defaults to 'video'.
        pack_cfg (dict): Passed to ``InferencerPackInput``. Defaults to {}.
        scope (str, optional): The registry scope; by default the config's
            ``default_scope``. Defaults to None.
    """

    def __init__(
        self,
        model: ConfigLike,
        weights: Optional[str] = None,
        device: Optional[str] = None,
        label_file: Optional[str] = None,
        input_format: str = 'video',
        pack_cfg: Optional[dict] = None,
        scope: Optional[str] = None,
    ) -> None:
        config = _load_config(model)
        if weights is not None and not osp.isfile(weights):
            raise FileNotFoundError(
                f'checkpoint {weights!r} does not exist; pass a .pth file '
                f'written by tools/train.py or a converted official one'
            )
        super().__init__(
            config,
            weights,
            device,
            label_file,
            input_format,
            dict(pack_cfg or {}),
            scope or config_scope(config),
        )


class MMAction2Inferencer(_MMAction2Inferencer):
    """mmaction2's unified inferencer, building in the config's scope.

    Args:
        rec (str | Config | dict): The recognizer's config or its file.
        rec_weights (str, optional): Its checkpoint. Defaults to None.
        device (str, optional): Defaults to None (CUDA when available).
        label_file (str, optional): Class names, one a line.
            Defaults to None.
        input_format (str): See :class:`ActionRecogInferencer`.
            Defaults to 'video'.
    """

    def __init__(
        self,
        rec: Optional[ConfigLike] = None,
        rec_weights: Optional[str] = None,
        device: Optional[str] = None,
        label_file: Optional[str] = None,
        input_format: str = 'video',
    ) -> None:
        if rec is None:
            raise ValueError('rec: pass the config of a recognizer')
        self.visualizer = None
        self.num_visualized_imgs = 0
        self.actionrecog_inferencer = ActionRecogInferencer(
            rec, rec_weights, device, label_file, input_format
        )
        self.mode = 'rec'
