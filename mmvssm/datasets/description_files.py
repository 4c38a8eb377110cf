# Copyright (c) mmvssm contributors. All rights reserved.
"""MSTA's class-description files: load and validate.

A description file is one JSON object ``{"<class index>": [sentence, ...]}``
with string keys ``"0"`` .. ``"C-1"`` in label order and the same number
``N`` of non-empty sentences for every class (MSTA ships N = 2, 4, 8; the
base / novel files of a base-to-novel split are indexed from 0 within their
split). There is one spatial and one temporal file per dataset.

The files come from outside, so every problem is reported as one line that
names the file and the class: :func:`description_problems` lists them all
(``tools/misc/check_descriptions.py``), :func:`load_descriptions` raises
:class:`DescriptionFileError` at the first. Small files for the synthetic
motion set ship with the package (``synthetic_motion_{spatial,temporal}``,
``..._base``, ``..._novel``; N = 2), named by those names.
"""

import json
import os.path as osp
from collections import Counter
from typing import List, Optional

__all__ = [
    'DESCRIPTION_FILES',
    'DescriptionFileError',
    'description_problems',
    'load_descriptions',
    'resolve_description_file',
]

_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'descriptions')
#: Shipped description files by name.
DESCRIPTION_FILES = {
    f'synthetic_motion_{kind}{part}': (
        f'2_{kind[0]}_synthetic_motion{part}.json'
    )
    for kind in ('spatial', 'temporal')
    for part in ('', '_base', '_novel')
}


class DescriptionFileError(ValueError):
    """A description file is missing or malformed (one-line message)."""


def resolve_description_file(name_or_path: str) -> str:
    """A shipped file's path for its name; any other string is a path."""
    if name_or_path in DESCRIPTION_FILES:
        return osp.join(_DIR, DESCRIPTION_FILES[name_or_path])
    return name_or_path


def _read(path: str):
    if not osp.isfile(path):
        raise DescriptionFileError(
            f'description file {path!r} does not exist; check the '
            f'spatial/temporal description paths in the config'
        )

    def no_duplicates(pairs):
        seen = Counter(k for k, _ in pairs)
        dup = [k for k, n in seen.items() if n > 1]
        if dup:
            raise DescriptionFileError(
                f'{path}: class {dup[0]!r} appears more than once; keep one '
                f'list per class'
            )
        return dict(pairs)

    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f, object_pairs_hook=no_duplicates)
    except UnicodeDecodeError as exc:
        raise DescriptionFileError(
            f'{path}: not UTF-8 text ({exc.reason} at byte {exc.start})'
        ) from None
    except json.JSONDecodeError as exc:
        raise DescriptionFileError(
            f'{path}: invalid JSON at line {exc.lineno} column {exc.colno} '
            f'({exc.msg})'
        ) from None
    if not isinstance(data, dict):
        raise DescriptionFileError(
            f'{path}: expected a JSON object {{"0": [sentence, ...], ...}}, '
            f'got a {type(data).__name__}'
        )
    return data


def description_problems(
    path: str,
    num_classes: Optional[int] = None,
    num_per_class: Optional[int] = None,
) -> List[str]:
    """Every problem of a description file, one line each.

    Args:
        path (str): The file (or a shipped name).
        num_classes (int, optional): Classes it must describe (``"0"`` ..
            ``"C-1"``). Defaults to None: up to its largest index.
        num_per_class (int, optional): Sentences per class ``N``. Defaults
            to None: the most common list length in the file.

    Returns:
        list[str]: Empty when the file is valid.
    """
    path = resolve_description_file(path)
    try:
        data = _read(path)
    except DescriptionFileError as exc:
        return [str(exc)]
    problems, indices = [], {}
    for key, value in data.items():
        if not (
            isinstance(key, str) and key.isdigit() and str(int(key)) == key
        ):
            problems.append(
                f'{path}: key {key!r} is not a class index ("0", "1", ...)'
            )
            continue
        indices[int(key)] = value
    if not data:
        problems.append(f'{path}: no classes in the file')
    size = num_classes
    if size is None:
        size = max(indices) + 1 if indices else 0
    for index in sorted(indices):
        if index >= size:
            problems.append(
                f'{path}: class index "{index}" out of range: '
                f'{size} classes ("0".."{size - 1}")'
            )
    for index in range(size):
        if index not in indices and (num_classes is not None or data):
            problems.append(f'{path}: class "{index}" is missing')
    lengths = {}
    for index, value in sorted(indices.items()):
        if not isinstance(value, list):
            problems.append(
                f'{path}: class "{index}": expected a list of sentences, got '
                f'a {type(value).__name__}'
            )
        elif not value:
            problems.append(f'{path}: class "{index}": empty list')
        elif not all(isinstance(s, str) and s.strip() for s in value):
            problems.append(
                f'{path}: class "{index}": every description must be a '
                f'non-empty string'
            )
        else:
            lengths[index] = len(value)
    if lengths:
        expected = (
            num_per_class or Counter(lengths.values()).most_common(1)[0][0]
        )
        for index, n in lengths.items():
            if n != expected:
                problems.append(
                    f'{path}: class "{index}" has {n} descriptions, expected '
                    f'N = {expected} for every class'
                )
    return problems


def load_descriptions(
    path: str,
    num_classes: Optional[int] = None,
    num_per_class: Optional[int] = None,
) -> List[List[str]]:
    """Read and validate a description file.

    Args:
        path (str): The file (or a shipped name, see
            :data:`DESCRIPTION_FILES`).
        num_classes (int, optional): See :func:`description_problems`.
        num_per_class (int, optional): See :func:`description_problems`.

    Returns:
        list[list[str]]: The sentences of class 0, 1, ...

    Raises:
        DescriptionFileError: At the first problem, one line.
    """
    problems = description_problems(path, num_classes, num_per_class)
    if problems:
        more = (
            f' (and {len(problems) - 1} more problems)'
            if len(problems) > 1
            else ''
        )
        raise DescriptionFileError(
            problems[0] + more + '; run tools/misc/check_descriptions.py on it'
        )
    data = _read(resolve_description_file(path))
    return [list(data[str(i)]) for i in range(len(data))]
