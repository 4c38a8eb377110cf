# Copyright (c) mmvssm contributors. All rights reserved.

__all__ = []
