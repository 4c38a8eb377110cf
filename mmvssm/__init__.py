# Copyright (c) mmvssm contributors. All rights reserved.
"""mmvssm: video state-space models for OpenMMLab.

Importing the package applies the stack's compatibility fixes once (see
:mod:`mmvssm.utils.compat`) and nothing heavier: models, datasets and engine
parts register lazily when a registry first looks them up.
"""

from .utils.compat import apply_compat_fixes
from .version import __version__, version_info

apply_compat_fixes()

__all__ = ['__version__', 'version_info']
