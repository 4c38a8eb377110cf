# Copyright (c) mmvssm contributors. All rights reserved.
"""Tubelet (3D patch) embedding and 2D-to-3D kernel inflation."""

from torch import Tensor, nn

__all__ = ['PatchEmbed3D', 'inflate_patch_weight']


class PatchEmbed3D(nn.Module):
    """Tubelet embedding: one Conv3d with kernel = stride = (t, p, p).

    Args:
        in_channels (int): Input channels. Defaults to 3.
        embed_dims (int): Output channels. Defaults to 192.
        patch_size (int): Spatial patch size. Defaults to 16.
        tubelet_size (int): Temporal patch size. Defaults to 1.
    """

    def __init__(
        self,
        in_channels: int = 3,
        embed_dims: int = 192,
        patch_size: int = 16,
        tubelet_size: int = 1,
    ) -> None:
        super().__init__()
        kernel = (tubelet_size, patch_size, patch_size)
        self.proj = nn.Conv3d(
            in_channels, embed_dims, kernel_size=kernel, stride=kernel
        )

    def forward(self, x: Tensor) -> Tensor:
        """Embed ``(N, C_in, T, H, W)`` into ``(N, C, T', h, w)``."""
        return self.proj(x)


def inflate_patch_weight(weight: Tensor, tubelet_size: int) -> Tensor:
    """Inflate a 2D ``(C, C_in, p, p)`` patch kernel to ``(C, C_in, t, p, p)``.

    Centre inflation, as VideoMamba's fine-tuning code: the 2D kernel goes
    into the middle temporal slice and the other slices are zero, so a clip
    of identical frames embeds like the image.

    Args:
        weight (Tensor): The 2D kernel ``(C, C_in, p, p)``.
        tubelet_size (int): Temporal kernel size ``t``.

    Returns:
        Tensor: ``(C, C_in, t, p, p)``.
    """
    out = weight.new_zeros(
        weight.shape[:2] + (tubelet_size,) + weight.shape[2:]
    )
    out[:, :, tubelet_size // 2] = weight
    return out
