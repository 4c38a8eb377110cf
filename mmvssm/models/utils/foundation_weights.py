# Copyright (c) mmvssm contributors. All rights reserved.
"""Read a foundation model's released weight file, safely.

Foundation weights come from outside and are untrusted. Two formats occur:

* TorchScript archives (OpenAI's ``ViT-B-16.pt``, ``ViT-L-14.pt``): read by
  :func:`mmvssm.utils.torchscript_weights.read_torchscript_state_dict`,
  which never runs the archive's code;
* ``torch.save`` files (OpenAI / open_clip state dicts, ViCLIP ``.pth``):
  read by the project's weights-only loader
  (:func:`mmvssm.utils.checkpoint.load_checkpoint_file`).

:func:`load_foundation_state_dict` is the one place where mmvssm's CLIP and
ViCLIP encoders read such a file.
"""

import os.path as osp
from typing import Dict, Iterable, Optional, Tuple, Union

from mmengine.model import BaseModule

from mmvssm.utils.launch import ToolError
from mmvssm.utils.messages import first_line

from .arch import resolve_arch

__all__ = [
    'FoundationModule',
    'FoundationWeightsError',
    'load_foundation_state_dict',
    'load_state_dict_exactly',
    'logit_scale_from_state_dict',
    'pretrained_checkpoint',
    'select_prefixed',
]

# Containers that training scripts wrap a state dict in.
_CONTAINER_KEYS = ('state_dict', 'model', 'module')


class FoundationWeightsError(ToolError):
    """A foundation weight file is missing, unreadable or of another model.

    A ``SystemExit`` (like the tools' own errors): the tools print it as one
    line, mmengine's registry does not wrap it.
    """


def _unwrap(obj, path: str) -> Dict:
    for _ in range(3):
        if not isinstance(obj, dict):
            break
        inner = [k for k in _CONTAINER_KEYS if isinstance(obj.get(k), dict)]
        if not inner or any(hasattr(v, 'shape') for v in obj.values()):
            break
        obj = obj[inner[0]]
    if not isinstance(obj, dict):
        raise FoundationWeightsError(
            f'{path} holds a {type(obj).__name__}, not a state dict'
        )
    return obj


def load_foundation_state_dict(
    path: str, expected: str, hint: Optional[str] = None
) -> Dict:
    """Read a foundation weight file into a flat CPU state dict.

    Args:
        path (str): The weight file (TorchScript archive or ``torch.save``
            file; a ``{'state_dict'|'model': ...}`` wrapper is unwrapped,
            and a ``module.`` prefix of DDP checkpoints dropped).
        expected (str): What the file should hold, for messages, e.g.
            ``"OpenAI CLIP ViT-B/16 weights (ViT-B-16.pt)"``.
        hint (str, optional): Where to get it. Defaults to None.

    Returns:
        dict[str, torch.Tensor]: The tensors, keys as in the file.

    Raises:
        FoundationWeightsError: The file is missing or cannot be read as
            weights (one line naming the file and what was expected).
    """
    import torch

    from mmvssm.utils.checkpoint import load_checkpoint_file
    from mmvssm.utils.torchscript_weights import (
        TorchScriptReadError,
        is_torchscript_archive,
        read_torchscript_state_dict,
    )

    where = f'; {hint}' if hint else ''
    if not osp.isfile(path):
        raise FoundationWeightsError(
            f'{expected} not found at {path!r}: put the file there or set '
            f"the model's init_cfg.checkpoint to its path{where}"
        )
    try:
        if is_torchscript_archive(path):
            state = read_torchscript_state_dict(path)
        else:
            state = load_checkpoint_file(
                path, map_location='cpu', runner_state=False
            )
    except TorchScriptReadError as e:
        raise FoundationWeightsError(str(e)) from None
    except Exception as e:  # the loader's one-line CheckpointError, ...
        first = first_line(e)
        raise FoundationWeightsError(
            f'{path} cannot be read as {expected} with weights-only '
            f'loading ({type(e).__name__}: {first})'
        ) from None
    state = _unwrap(state, path)
    tensors = {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
    if not tensors:
        raise FoundationWeightsError(f'{path} holds no tensors ({expected})')
    if all(k.startswith('module.') for k in tensors):
        tensors = {k[len('module.') :]: v for k, v in tensors.items()}
    return tensors


def select_prefixed(
    state_dict: Dict, prefixes: Iterable[str]
) -> Optional[Dict]:
    """Keys under the first of ``prefixes`` that occurs, prefix removed.

    Args:
        state_dict (dict): A flat state dict.
        prefixes (Iterable[str]): Candidate prefixes, e.g.
            ``('vision_encoder.', 'visual.')``; ``''`` matches everything.

    Returns:
        dict | None: The sub-dict, or None when no prefix occurs.
    """
    for prefix in prefixes:
        sub = {
            k[len(prefix) :]: v
            for k, v in state_dict.items()
            if k.startswith(prefix)
        }
        if sub:
            return sub
    return None


def load_state_dict_exactly(
    module, state_dict: Dict, source: str, expected: str
) -> None:
    """Load ``state_dict`` strictly, or fail with one line saying why.

    Args:
        module (nn.Module): The model part.
        state_dict (dict): Its weights, keys relative to ``module``.
        source (str): Where they come from (the file), for the message.
        expected (str): What ``module`` is, e.g. ``"CLIP ViT-B/16 vision
            encoder"``.

    Raises:
        FoundationWeightsError: Keys missing or unexpected, or shapes that
            differ; the message names the first few.
    """
    own = module.state_dict()
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    mismatched = [
        f'{k} {tuple(state_dict[k].shape)} vs {tuple(own[k].shape)}'
        for k in own
        if k in state_dict and state_dict[k].shape != own[k].shape
    ]
    problems = []
    for what, keys in (
        ('missing', missing),
        ('unexpected', unexpected),
        ('shape (file vs model)', mismatched),
    ):
        if keys:
            more = f' (+{len(keys) - 3} more)' if len(keys) > 3 else ''
            problems.append(f'{what}: {", ".join(keys[:3])}{more}')
    if problems:
        raise FoundationWeightsError(
            f'{source} does not hold {expected} weights: '
            + '; '.join(problems)
        )
    module.load_state_dict(state_dict, strict=True)


def pretrained_checkpoint(init_cfg) -> Optional[str]:
    """The ``checkpoint`` of a ``dict(type='Pretrained', ...)`` init_cfg.

    Args:
        init_cfg (dict | list[dict] | None): A module's ``init_cfg``.

    Returns:
        str | None: The checkpoint path, or None without a Pretrained entry.
    """
    cfgs = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
    for cfg in cfgs:
        if isinstance(cfg, dict) and cfg.get('type') == 'Pretrained':
            return cfg.get('checkpoint')
    return None


class FoundationModule(BaseModule):
    """Base of the CLIP / ViCLIP encoders: weights load when built.

    A subclass builds its layers, then calls :meth:`finish_build`. With
    ``init_cfg=dict(type='Pretrained', checkpoint=PATH)`` the weights are
    read right then (through :func:`load_foundation_state_dict`) rather than
    in ``init_weights()``, because ``tools/test.py`` never calls
    ``init_weights()`` and a checkpoint saved without the frozen weights
    (:func:`~mmvssm.models.utils.exclude_frozen_from_checkpoint`) relies on
    them being there already. mmengine's own ``Pretrained`` initializer is
    never used for these files (it would hand a TorchScript archive to
    ``torch.load``).

    Subclasses hold their blocks in ``self.transformer.resblocks``, set
    ``self.weights_file`` (the released file name, for messages) and
    ``self.description``, and implement :meth:`extract_weights`.
    """

    weights_file: str = ''
    description: str = 'foundation model'
    arch_zoo: Dict[str, Dict] = {}
    arch_keys: Tuple[str, ...] = ()

    @classmethod
    def resolve_arch(cls, arch: Union[str, Dict]) -> Dict:
        """The arch dict of an ``arch_zoo`` name or of a custom dict.

        Args:
            arch (str | dict): A zoo name or a dict with ``arch_keys``.

        Returns:
            dict: A copy of the arch settings.
        """
        return resolve_arch(
            arch, cls.arch_zoo, cls.arch_keys, owner=cls.__name__
        )

    def finish_build(self, frozen: bool = False) -> None:
        """Load the ``init_cfg`` weights; freeze when asked.

        Args:
            frozen (bool): Apply :func:`freeze_foundation` and log the
                parameter summary. Defaults to False.
        """
        from .frozen import freeze_foundation, log_parameter_summary

        self.pretrained_from = pretrained_checkpoint(self.init_cfg)
        if self.pretrained_from is not None:
            state_dict = load_foundation_state_dict(
                self.pretrained_from,
                expected=f'{self.description} weights',
                hint=f'the released file is {self.weights_file}'
                if self.weights_file
                else None,
            )
            self.load_foundation_weights(state_dict, self.pretrained_from)
            from mmengine.logging import print_log

            print_log(
                f'{type(self).__name__}: loaded {self.description} weights '
                f'from {self.pretrained_from}',
                logger='current',
            )
        if frozen:
            freeze_foundation(self)
            log_parameter_summary(self)

    def init_weights(self) -> None:
        """Keep the weights loaded at build; otherwise mmengine's init."""
        if getattr(self, 'pretrained_from', None) is not None:
            self._is_init = True
            return
        super().init_weights()

    @property
    def blocks(self):
        """The transformer blocks (open_clip ``ResidualAttentionBlock``)."""
        return self.transformer.resblocks

    @staticmethod
    def num_blocks_in(state_dict: Dict) -> int:
        """How many ``transformer.resblocks.<i>`` a state dict holds."""
        return len(
            {
                k.split('.')[2]
                for k in state_dict
                if k.startswith('transformer.resblocks.')
            }
        )

    def extract_weights(self, state_dict: Dict, source: str) -> Dict:
        """This part's weights (own keys) out of a released state dict.

        Args:
            state_dict (dict): The whole file's state dict.
            source (str): The file, for messages.

        Returns:
            dict: Keys of this module.
        """
        raise NotImplementedError

    def load_foundation_weights(self, state_dict: Dict, source: str) -> None:
        """Load this part's weights out of a released state dict, strictly.

        Args:
            state_dict (dict): The whole file's state dict.
            source (str): The file, for messages.
        """
        load_state_dict_exactly(
            self,
            self.extract_weights(state_dict, source),
            source,
            self.description,
        )


def logit_scale_from_state_dict(state_dict: Dict) -> Optional[float]:
    """The contrastive logit scale a released checkpoint was trained with.

    Args:
        state_dict (dict): CLIP (``logit_scale``, a log scale) or ViCLIP
            (``temp``, a temperature) weights.

    Returns:
        float | None: ``exp(logit_scale)`` or ``1 / temp``; None if absent.
    """
    import math

    if 'logit_scale' in state_dict:
        return math.exp(float(state_dict['logit_scale']))
    if 'temp' in state_dict:
        return 1.0 / float(state_dict['temp'])
    return None
