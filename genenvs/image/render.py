"""Pictures for ``render_mode="rgb_array"`` and ``"ansi"``, and sample grids for the docs.

Images are grayscale in [0, 1] with ink = 1 (scikit-learn's digits convention); they are
shown white on black, enlarged with nearest-neighbour pixels so that each pixel stays
visible.
"""

from __future__ import annotations

import numpy as np

#: Darkest to brightest, for the text view.
SHADES = " .:-=+*#%@"


def to_uint8(image01: np.ndarray) -> np.ndarray:
    """[0, 1] floats -> uint8 (values outside are clipped)."""
    return np.round(np.clip(image01, 0.0, 1.0) * 255.0).astype(np.uint8)


def enlarge(image01: np.ndarray, scale: int) -> np.ndarray:
    """``(H, W)`` -> ``(H * scale, W * scale)`` by repeating pixels."""
    return np.kron(np.asarray(image01, dtype=np.float32), np.ones((scale, scale), dtype=np.float32))


def to_rgb(image01: np.ndarray, scale: int = 1) -> np.ndarray:
    """Grayscale ``(H, W)`` in [0, 1] -> RGB uint8 ``(H * scale, W * scale, 3)``."""
    gray = to_uint8(enlarge(image01, scale))
    return np.repeat(gray[:, :, None], 3, axis=2)


def side_by_side(images01: list[np.ndarray], scale: int = 4, gap: int = 4, gap_colour: tuple[int, int, int] = (200, 40, 40)) -> np.ndarray:
    """Equal-size grayscale images next to each other, separated by a coloured bar."""
    panels = [to_rgb(im, scale) for im in images01]
    height = panels[0].shape[0]
    bar = np.empty((height, gap, 3), dtype=np.uint8)
    bar[:] = gap_colour
    row: list[np.ndarray] = []
    for i, panel in enumerate(panels):
        if i:
            row.append(bar)
        row.append(panel)
    return np.concatenate(row, axis=1)


def image_grid(images01: np.ndarray, ncols: int, scale: int = 4, gap: int = 2) -> np.ndarray:
    """``(N, H, W)`` images in a grid of ``ncols`` columns, RGB uint8, grey gaps."""
    n, h, w = images01.shape
    nrows = -(-n // ncols)
    H, W = h * scale, w * scale
    grid = np.full((nrows * (H + gap) + gap, ncols * (W + gap) + gap, 3), 128, dtype=np.uint8)
    for i, image in enumerate(images01):
        r, c = divmod(i, ncols)
        top, left = gap + r * (H + gap), gap + c * (W + gap)
        grid[top : top + H, left : left + W] = to_rgb(image, scale)
    return grid


def ascii_art(image01: np.ndarray) -> str:
    """Text picture, two characters per pixel so that the aspect ratio looks right."""
    levels = np.clip((np.asarray(image01) * (len(SHADES) - 1)).round().astype(int), 0, len(SHADES) - 1)
    return "\n".join("".join(SHADES[v] * 2 for v in row) for row in levels)
