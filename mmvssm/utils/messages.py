# Copyright (c) mmvssm contributors. All rights reserved.
"""Pieces of one-line error messages."""

__all__ = ['first_line']


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (``''`` when it has none).

    Args:
        exc (BaseException): The exception to quote.

    Returns:
        str: Its message up to the first line break, stripped.
    """
    text = str(exc).strip()
    return text.splitlines()[0] if text else ''
