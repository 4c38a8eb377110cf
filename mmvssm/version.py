# Copyright (c) mmvssm contributors. All rights reserved.
"""Version of the mmvssm package."""

import re

__version__ = '0.1.0'


def parse_version_info(version_str: str) -> tuple:
    """Parse a version string into a tuple.

    Args:
        version_str (str): A version such as ``'0.1.0'`` or ``'0.2.0rc1'``.

    Returns:
        tuple: For example ``(0, 1, 0)`` or ``(0, 2, 0, 'rc1')``.
    """
    info = []
    for piece in version_str.split('.'):
        match = re.fullmatch(r'(\d+)(\D\w*)?', piece)
        if match is None:
            raise ValueError(
                f'Cannot parse version {version_str!r}: '
                f'use the form MAJOR.MINOR.PATCH[rcN].'
            )
        info.append(int(match.group(1)))
        if match.group(2):
            info.append(match.group(2))
    return tuple(info)


version_info = parse_version_info(__version__)

__all__ = ['__version__', 'version_info', 'parse_version_info']
