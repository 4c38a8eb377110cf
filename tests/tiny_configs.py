# Copyright (c) mmvssm contributors. All rights reserved.
"""Shrunk copies of real configs for the end-to-end tests.

The copy inherits the real config and renders the synthetic set into a
temporary folder with a few videos per class, small frames and no workers,
so the real tools, runner and decord pipeline run in seconds.
"""

import os
import os.path as osp
import subprocess

__all__ = ['run_tool', 'write_tiny_config']


def run_tool(
    repo_root: str, python: str, *args
) -> subprocess.CompletedProcess:
    """Run ``python ARGS`` in the repository root; output captured."""
    return subprocess.run(
        [python, *args],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, 'PYTHONUNBUFFERED': '1'},
    )


def write_tiny_config(
    folder,
    base: str,
    resolution: int = 64,
    train_videos: int = 1,
    max_epochs: int = 1,
    extra: str = '',
) -> str:
    """Write a config that runs ``base`` on a tiny rendered synthetic set.

    Args:
        folder (Path): Where the config and its data go.
        base (str): Absolute path of the config to shrink.
        resolution (int): Frame size of the rendered videos. Defaults to 64.
        train_videos (int): Training videos per class. Defaults to 1.
        max_epochs (int): Training epochs. Defaults to 1.
        extra (str): More config lines. Defaults to ''.

    Returns:
        str: The path of the new config.
    """
    render = dict(
        data_root=str(osp.join(folder, 'data')),
        num_frames=8,
        resolution=resolution,
        fps=8,
        seed=0,
    )
    path = osp.join(folder, 'tiny.py')
    with open(path, 'w') as f:
        f.write(
            f"""
_base_ = [{base!r}]
render = {render!r}
train_dataloader = dict(
    batch_size=4, num_workers=0,
    dataset=dict(num_videos_per_class={train_videos}, **render))
val_dataloader = dict(
    batch_size=4, num_workers=0,
    dataset=dict(num_videos_per_class=1, **render))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs={max_epochs}, val_interval=1)
{extra}
"""
        )
    return path
