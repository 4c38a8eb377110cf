# Copyright (c) mmvssm contributors. All rights reserved.
"""Models: importing this module registers every mmvssm model part."""

from .backbones import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .recognizers import *  # noqa: F401,F403
from .text import *  # noqa: F401,F403
