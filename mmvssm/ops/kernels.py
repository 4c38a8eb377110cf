# Copyright (c) mmvssm contributors. All rights reserved.
"""One convention for the optional CUDA kernels behind :mod:`mmvssm.ops`.

Every op with an optional kernel (:func:`~mmvssm.ops.selective_scan`,
:func:`~mmvssm.ops.causal_conv1d`, :func:`~mmvssm.ops.add_rms_norm`) takes a
``backend`` argument; None reads the op's environment variable, and an unset
variable means ``'auto'``:

* ``selective_scan``: ``MMVSSM_SCAN_BACKEND``; ``mamba_ssm`` (kernel),
  ``chunked``, ``ref``;
* ``causal_conv1d``: ``MMVSSM_CONV_BACKEND``; ``causal_conv1d`` (kernel),
  ``torch``;
* ``add_rms_norm``: ``MMVSSM_NORM_BACKEND``; ``triton`` (kernel), ``torch``.

``'auto'`` runs the kernel for CUDA tensors it supports when its package
imports, and the first PyTorch backend otherwise. Naming the kernel makes it
required: a one-line error says why it cannot run. Kernel packages are
imported lazily, once, and only for CUDA tensors (importing them is slow).
:func:`kernel_availability` tells what is available and why not.
"""

import importlib
import os
from typing import Callable, Dict, NamedTuple, Optional, Tuple, Union

import torch

__all__ = ['OptionalKernel', 'KernelInfo', 'kernel_availability']

Device = Union[str, torch.device, None]


class KernelInfo(NamedTuple):
    """What :func:`kernel_availability` reports for one op.

    Attributes:
        op (str): The op (``'selective_scan'``, ...).
        kernel (str): The kernel's backend name.
        package (str): The pip package that provides it.
        env (str): The environment variable that overrides the backend.
        available (bool): Whether the kernel can run on the device asked.
        reason (str): Why not ('' when available).
        auto (str): The backend ``'auto'`` picks on that device.
    """

    op: str
    kernel: str
    package: str
    env: str
    available: bool
    reason: str
    auto: str


class OptionalKernel:
    """An optional CUDA kernel of one op and the op's backend choice.

    Args:
        op (str): Name of the op, for messages.
        backends (tuple[str, ...]): ``'auto'``, the kernel's name, then the
            PyTorch backends (the first is the ``'auto'`` fallback).
        env (str): Environment variable that overrides the backend.
        package (str): The pip package of the kernel.
        imports (tuple[tuple[str, str], ...]): ``(module, attribute)``
            candidates of the kernel function, tried in order.
    """

    def __init__(
        self,
        op: str,
        backends: Tuple[str, ...],
        env: str,
        package: str,
        imports: Tuple[Tuple[str, str], ...],
    ) -> None:
        if backends[0] != 'auto' or len(backends) < 3:
            raise ValueError('backends are (auto, kernel, torch...)')
        self.op = op
        self.backends = backends
        self.kernel = backends[1]
        self.fallback = backends[2]
        self.env = env
        self.package = package
        self.imports = imports
        self._loaded: Optional[Tuple[Optional[Callable], str]] = None

    def load(self) -> Tuple[Optional[Callable], str]:
        """Import the kernel function once.

        Returns:
            tuple: The function (or None) and, when None, why.
        """
        if self._loaded is None:
            errors = []
            for module, attr in self.imports:
                try:
                    fn = getattr(importlib.import_module(module), attr)
                except Exception as exc:  # noqa: BLE001
                    # Missing package, missing Triton, or a broken CUDA build
                    # (ImportError, OSError, RuntimeError): use PyTorch.
                    errors.append(f'{type(exc).__name__}: {exc}')
                    continue
                self._loaded = (fn, '')
                break
            else:
                self._loaded = (
                    None,
                    f'{self.package} does not import ('
                    + '; '.join(errors)
                    + ')',
                )
        return self._loaded

    def unavailable(self, device: Device, unsupported: str = '') -> str:
        """Why the kernel cannot run on ``device`` ('' when it can).

        Args:
            device (str | torch.device, optional): Device of the inputs;
                None is the CPU.
            unsupported (str): Why the op's inputs do not suit the kernel
                ('' when they do), e.g. a dtype it is not built for.

        Returns:
            str: The reason, or ''.
        """
        device = torch.device('cpu' if device is None else device)
        if device.type != 'cuda':
            return f'needs CUDA tensors, got device {device}'
        if not torch.cuda.is_available():
            return 'no CUDA device is visible'
        if unsupported:
            return unsupported
        return self.load()[1]

    def resolve(
        self,
        backend: Optional[str],
        device: Device,
        unsupported: str = '',
    ) -> str:
        """The backend that runs for inputs on ``device``.

        Args:
            backend (str, optional): Requested backend; None reads the
                environment variable (unset: ``'auto'``).
            device (str | torch.device, optional): Device of the inputs.
            unsupported (str): See :meth:`unavailable`.

        Returns:
            str: The kernel's name or a PyTorch backend.
        """
        source = 'argument backend'
        if backend is None:
            backend = os.environ.get(self.env, '') or 'auto'
            source = f'environment variable {self.env}'
        name = backend.strip().lower()
        if name not in self.backends:
            raise ValueError(
                f'Unknown {self.op} backend {backend!r} (from {source}); '
                f'use one of {", ".join(self.backends)}.'
            )
        if name not in ('auto', self.kernel):
            return name
        reason = self.unavailable(device, unsupported)
        if name == 'auto':
            return self.fallback if reason else self.kernel
        if reason:
            raise RuntimeError(
                f'{self.op} backend {self.kernel!r} (from {source}) cannot '
                f'run here: {reason}; install {self.package} with its CUDA '
                f"extension or use 'auto' / {self.fallback!r}."
            )
        return self.kernel

    def info(self, device: Device) -> KernelInfo:
        """This kernel's :class:`KernelInfo` for ``device``."""
        reason = self.unavailable(device)
        return KernelInfo(
            op=self.op,
            kernel=self.kernel,
            package=self.package,
            env=self.env,
            available=not reason,
            reason=reason,
            auto=self.fallback if reason else self.kernel,
        )


def kernel_availability(device: Device = None) -> Dict[str, KernelInfo]:
    """Which optional kernels can run on ``device``, and why not.

    Args:
        device (str | torch.device, optional): The device to ask about.
            Defaults to ``'cuda'`` (where the kernels run; without a visible
            CUDA device every reason says so).

    Returns:
        dict[str, KernelInfo]: One entry per op, keyed by the op's name.

    Example:
        >>> for info in kernel_availability().values():
        ...     print(info.op, info.auto, info.reason)
    """
    from .causal_conv1d import CONV_KERNEL
    from .norm import NORM_KERNEL
    from .selective_scan import SCAN_KERNEL

    if device is None:
        device = 'cuda'
    return {
        kernel.op: kernel.info(device)
        for kernel in (SCAN_KERNEL, CONV_KERNEL, NORM_KERNEL)
    }
