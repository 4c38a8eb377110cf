# Copyright (c) mmvssm contributors. All rights reserved.
"""Class names + prompt templates -> L2-normalised text embeddings.

:class:`PromptTextBranch` fills every template with every class name,
embeds the prompts with a text encoder, L2-normalises them, averages over
the templates and normalises again (CLIP's prompt ensembling). A frozen
encoder's result is computed once and kept in a non-persistent buffer: it is
never written into a checkpoint and is recomputed after weights are loaded.
A trainable encoder (an adapted text branch) is run at every training step.
"""

import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmvssm.registry import MODELS, TOKENIZERS

__all__ = [
    'ACTIONCLIP_TEMPLATES',
    'PROMPT_TEMPLATES',
    'CLASS_NAME_FILES',
    'PromptTextBranch',
    'load_class_names',
    'readable_class_name',
]

#: ActionCLIP's 16 prompt templates (Wang et al., 2021).
ACTIONCLIP_TEMPLATES = (
    'a photo of action {}',
    'a picture of action {}',
    'Human action of {}',
    '{}, an action',
    '{} this is an action',
    '{}, a video of action',
    'Playing action of {}',
    '{}',
    'Playing a kind of action, {}',
    'Doing a kind of action, {}',
    'Look, the human is {}',
    'Can you recognize the action of {}?',
    'Video classification of {}',
    'A video of {}',
    'The man is {}',
    'The woman is {}',
)

#: Template sets by name.
PROMPT_TEMPLATES = {
    'actionclip': ACTIONCLIP_TEMPLATES,
    'video': ('a video of a {}.',),
    'photo': ('a photo of a {}.',),
}

_CLASS_NAME_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'class_names')
#: Class-name lists shipped in the package, one name a line, in the label
#: order of the datasets' standard annotation files: Kinetics-400 as
#: torchvision's ``R3D_18_Weights.KINETICS400_V1`` categories (mmaction2's
#: label map), Kinetics-600 alphabetical (mmaction2's label map), HMDB51 the
#: sorted class folders (mmaction2's ``classInd.txt``; note ``kick`` before
#: ``kick_ball``), UCF101 ``classInd.txt``, SSv2 the ids of
#: ``something-something-v2-labels.json``. Names as the datasets spell them;
#: ``readable_names`` turns them into words for the prompts.
CLASS_NAME_FILES = {
    'kinetics400': 'kinetics400.txt',
    'kinetics600': 'kinetics600.txt',
    'hmdb51': 'hmdb51.txt',
    'ucf101': 'ucf101.txt',
    'sthv2': 'sthv2.txt',
}


def readable_class_name(name: str) -> str:
    """A class name as words: ``brush_hair`` / ``ApplyEyeMakeup`` become
    ``brush hair`` / ``apply eye makeup``; other names are kept.

    Args:
        name (str): The dataset's class name.

    Returns:
        str: The name for a prompt.
    """
    name = name.strip()
    if ' ' not in name and re.search(r'[a-z][A-Z]', name):
        name = re.sub(r'(?<=[a-z0-9])(?=[A-Z])', ' ', name).lower()
    return re.sub(r'[_\s]+', ' ', name).strip()


def load_class_names(class_names: Union[str, Sequence[str]]) -> List[str]:
    """Resolve class names from a list, a shipped list or a file.

    Args:
        class_names (str | Sequence[str]): A list of names; a shipped list
            (``'kinetics400'``, ``'kinetics600'``, ``'hmdb51'``,
            ``'ucf101'``, ``'sthv2'``, ``'synthetic_motion'``); or a text
            file with one name a line (``id,name`` CSV lines with a header,
            as ViFi-CLIP's label files, are read too).

    Returns:
        list[str]: The names, in label order.
    """
    if not isinstance(class_names, str):
        names = list(class_names)
        if not names or not all(isinstance(n, str) and n for n in names):
            raise ValueError(
                f'class_names must be non-empty strings, got {class_names!r}'
            )
        return names
    if class_names == 'synthetic_motion':
        from mmvssm.datasets.motion_render import SYNTHETIC_MOTION_CLASSES

        return list(SYNTHETIC_MOTION_CLASSES)
    path = class_names
    if class_names in CLASS_NAME_FILES:
        path = osp.join(_CLASS_NAME_DIR, CLASS_NAME_FILES[class_names])
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'class_names {class_names!r} is neither a shipped list '
            f'({sorted(CLASS_NAME_FILES) + ["synthetic_motion"]}) nor a '
            f'file'
        )
    with open(path, encoding='utf-8') as f:
        lines = [line.strip() for line in f if line.strip()]
    if lines and lines[0].lower().replace(' ', '') == 'id,name':
        lines = [ln.split(',', 1)[1].strip().strip('"') for ln in lines[1:]]
    if not lines:
        raise ValueError(f'{path}: no class names in the file')
    return lines


@MODELS.register_module()
class PromptTextBranch(BaseModule):
    """Text embeddings of a class set under prompt templates.

    Args:
        text_encoder (dict): Config of the text encoder (e.g.
            ``CLIPTextTransformer``); its ``context_length`` sets the
            tokenizer's.
        class_names (str | Sequence[str]): See :func:`load_class_names`.
        templates (str | Sequence[str]): ``'actionclip'`` (16 templates),
            ``'video'`` (``"a video of a {}."``), ``'photo'``
            (``"a photo of a {}."``) or a list of templates with ``{}``.
            Defaults to ``'actionclip'``.
        readable_names (bool): Turn ``brush_hair`` / ``ApplyEyeMakeup``
            into words before filling the templates. Defaults to True.
        tokenizer (dict, optional): Tokenizer config. Defaults to
            ``CLIPTokenizer`` with the encoder's context length.
        init_cfg (dict, optional): Defaults to None.
    """

    def __init__(
        self,
        text_encoder: Dict,
        class_names: Union[str, Sequence[str]],
        templates: Union[str, Sequence[str]] = 'actionclip',
        readable_names: bool = True,
        tokenizer: Optional[Dict] = None,
        init_cfg: Optional[Dict] = None,
    ):
        super().__init__(init_cfg=init_cfg)
        self.text_encoder = MODELS.build(text_encoder)
        self.class_names = load_class_names(class_names)
        if isinstance(templates, str):
            if templates not in PROMPT_TEMPLATES:
                raise ValueError(
                    f'unknown templates {templates!r}; choose from '
                    f'{sorted(PROMPT_TEMPLATES)} or give a list'
                )
            templates = PROMPT_TEMPLATES[templates]
        templates = list(templates)
        bad = [t for t in templates if not isinstance(t, str) or '{}' not in t]
        if not templates or bad:
            raise ValueError(
                f'templates must be strings with a {{}} for the class name, '
                f'got {bad or templates!r}'
            )
        self.templates = templates
        self.readable_names = readable_names
        if tokenizer is None:
            tokenizer = dict(
                type='CLIPTokenizer',
                context_length=self.text_encoder.context_length,
            )
        self.tokenizer = TOKENIZERS.build(tokenizer)
        self.register_buffer('cached_embeddings', None, persistent=False)
        self.register_load_state_dict_post_hook(
            lambda module, keys: module.clear_cache()
        )

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.class_names)

    def prompts(self) -> List[List[str]]:
        """``prompts()[t][k]``: template ``t`` filled with class ``k``."""
        names = [
            readable_class_name(n) if self.readable_names else n
            for n in self.class_names
        ]
        return [[t.format(n) for n in names] for t in self.templates]

    def clear_cache(self) -> None:
        """Forget the cached embeddings (after the encoder changed)."""
        self.cached_embeddings = None

    def train(self, mode: bool = True):
        """Set the mode; entering training drops the cache."""
        super().train(mode)
        if mode:
            self.clear_cache()
        return self

    def compute_embeddings(self) -> torch.Tensor:
        """Embed all prompts now.

        Returns:
            torch.Tensor: ``(num_classes, D)``, L2-normalised, the
            normalised mean over templates of the normalised prompt
            embeddings.
        """
        prompts = self.prompts()
        flat = [p for per_template in prompts for p in per_template]
        device = next(self.text_encoder.parameters()).device
        tokens = self.tokenizer(flat).to(device)
        emb = F.normalize(self.text_encoder(tokens).float(), dim=-1)
        emb = emb.reshape(len(prompts), self.num_classes, -1).mean(dim=0)
        return F.normalize(emb, dim=-1)

    def forward(self) -> torch.Tensor:
        """The class embeddings ``(num_classes, D)`` (cached when frozen).

        Returns:
            torch.Tensor: L2-normalised rows, float32.
        """
        trains = any(p.requires_grad for p in self.text_encoder.parameters())
        if trains and self.training and torch.is_grad_enabled():
            return self.compute_embeddings()
        if self.cached_embeddings is None:
            with torch.no_grad():
                self.cached_embeddings = self.compute_embeddings()
        return self.cached_embeddings
