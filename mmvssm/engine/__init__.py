# Copyright (c) mmvssm contributors. All rights reserved.
"""Engine parts: optimizer constructors and hooks."""

from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
