# Copyright (c) mmvssm contributors. All rights reserved.
from .compat import applied_fixes, apply_compat_fixes, pending_fixes

__all__ = ['apply_compat_fixes', 'applied_fixes', 'pending_fixes']
