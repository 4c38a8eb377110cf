# Copyright (c) mmvssm contributors. All rights reserved.
from .bimamba import BiMamba

__all__ = ['BiMamba']
