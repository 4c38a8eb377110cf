# Copyright (c) mmvssm contributors. All rights reserved.
"""Resolution of a model's ``arch`` argument (zoo name or custom dict)."""

from collections.abc import Mapping
from typing import Dict, Sequence, Union

__all__ = ['resolve_arch']


def resolve_arch(
    arch: Union[str, Mapping],
    arch_zoo: Mapping,
    arch_keys: Sequence[str],
    owner: str = 'model',
    exact: bool = False,
    hint: str = '',
) -> Dict:
    """The settings of an ``arch_zoo`` name or of a custom dict, checked.

    Args:
        arch (str | dict): A zoo name (case-insensitive) or a dict with at
            least ``arch_keys``.
        arch_zoo (Mapping): Zoo names to settings dicts.
        arch_keys (Sequence[str]): Keys a custom dict must give.
        owner (str): Model name, for messages. Defaults to ``'model'``.
        exact (bool): Also refuse custom dicts with other keys.
            Defaults to False.
        hint (str): Appended to the unknown-keys message. Defaults to ''.

    Returns:
        dict: A copy of the arch settings.
    """
    keys = sorted(arch_keys)
    if isinstance(arch, str):
        if arch.lower() not in arch_zoo:
            raise ValueError(
                f'{owner} arch {arch!r} is unknown; use one of '
                f'{sorted(set(arch_zoo))} or a dict with {keys}'
            )
        return dict(arch_zoo[arch.lower()])
    if not isinstance(arch, Mapping):
        raise TypeError(
            f'{owner} arch must be a str or a dict, got {type(arch)}'
        )
    missing = set(keys) - set(arch)
    if missing:
        raise ValueError(
            f'{owner} custom arch lacks {sorted(missing)}; give at least '
            f'{keys}'
        )
    unknown = set(arch) - set(keys)
    if exact and unknown:
        raise ValueError(
            f'{owner} custom arch has unknown keys {sorted(unknown)}; it '
            f'takes {keys}' + (f', {hint}' if hint else '')
        )
    return dict(arch)
