# Copyright (c) mmvssm contributors. All rights reserved.
"""Engine parts: optimizer constructors, hooks and loops."""

from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .runner import *  # noqa: F401,F403
