# Copyright (c) mmvssm contributors. All rights reserved.
"""Drawing predictions on video frames and writing them as mp4 or gif."""

import numpy as np

__all__ = ['draw_prediction', 'write_video']


def draw_prediction(
    frames: np.ndarray, text: str, min_height: int = 256
) -> np.ndarray:
    """Write ``text`` on every RGB frame (upscaled to ``min_height``).

    Args:
        frames (np.ndarray): ``(T, H, W, 3)`` uint8 RGB frames.
        text (str): What to draw.
        min_height (int): Smaller frames are enlarged to this height.
            Defaults to 256.

    Returns:
        np.ndarray: The annotated frames.
    """
    import cv2

    height, width = frames.shape[1:3]
    if height < min_height:
        size = (round(width * min_height / height), min_height)
        frames = np.stack(
            [
                cv2.resize(f, size, interpolation=cv2.INTER_NEAREST)
                for f in frames
            ]
        )
        height, width = frames.shape[1:3]
    scale = max(height / 480.0, 0.4)
    thickness = max(int(round(2 * scale)), 1)
    (text_w, text_h), base = cv2.getTextSize(
        text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness
    )
    out = frames.copy()
    for frame in out:
        cv2.rectangle(
            frame,
            (0, 0),
            (min(text_w + 8, width), text_h + base + 8),
            (0, 0, 0),
            -1,
        )
        cv2.putText(
            frame,
            text,
            (4, text_h + 4),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (255, 255, 255),
            thickness,
            cv2.LINE_AA,
        )
    return out


def write_video(path: str, frames: np.ndarray, fps: float) -> None:
    """Write RGB frames as ``.mp4`` (OpenCV) or ``.gif`` (Pillow)."""
    if path.lower().endswith('.gif'):
        from PIL import Image

        images = [Image.fromarray(f) for f in frames]
        images[0].save(
            path,
            save_all=True,
            append_images=images[1:],
            duration=max(int(round(1000 / fps)), 1),
            loop=0,
        )
        return
    from mmvssm.datasets.motion_render import write_mp4

    write_mp4(path, frames, fps)
