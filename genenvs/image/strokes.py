"""A batched stroke renderer: quadratic Bezier brush strokes composited onto grayscale canvases.

Learning to Paint (Huang et al., 2019) describes a stroke by the three control points of
a quadratic Bezier curve, a brush radius and an opacity at both ends, and a colour; the
brush is swept along the curve with both interpolated linearly. Here the colour is one
grayscale intensity, so a stroke has 11 parameters, all in [0, 1]:

====== ===========================================================================
index  meaning
====== ===========================================================================
0-5    control points ``(x0, y0), (x1, y1), (x2, y2)`` as fractions of the canvas side
       (x to the right, y down)
6, 7   brush radius at the start and the end: ``0.5 + r * side * MAX_RADIUS`` pixels
8, 9   opacity at the start and the end
10     intensity (0 = background black, 1 = full ink)
====== ===========================================================================

The curve is approximated by ``SEGMENTS`` straight pieces; a pixel's coverage by a piece
is ``clip(radius + 0.5 - distance, 0, 1)`` (a one-pixel anti-aliased edge) at its closest
point, times the opacity there, and the stroke's alpha is the maximum over pieces, so an
overlapping brush does not darken itself. Strokes are composited in order:
``canvas <- canvas * (1 - alpha) + alpha * intensity``. Everything is tensor arithmetic
over blocks of rows; the Python loops are over blocks and over the strokes of a bundle.
"""

from __future__ import annotations

import numpy as np
import torch

PARAMS_PER_STROKE = 11
STROKE_FIELDS = ("x0", "y0", "x1", "y1", "x2", "y2", "r0", "r2", "opacity0", "opacity2", "intensity")
#: Largest brush radius as a fraction of the canvas side (4 pixels on a 32x32 canvas).
MAX_RADIUS = 0.125
SEGMENTS = 16


def bezier_points(strokes: torch.Tensor, segments: int = SEGMENTS) -> tuple[torch.Tensor, torch.Tensor]:
    """Points along each curve and the fraction ``u`` along it: ``(..., segments + 1, 2)``, ``(segments + 1,)``."""
    u = torch.linspace(0.0, 1.0, segments + 1, dtype=strokes.dtype)
    p0, p1, p2 = strokes[..., 0:2], strokes[..., 2:4], strokes[..., 4:6]
    w0, w1, w2 = ((1 - u) ** 2)[:, None], (2 * u * (1 - u))[:, None], (u**2)[:, None]
    points = w0 * p0[..., None, :] + w1 * p1[..., None, :] + w2 * p2[..., None, :]
    return points, u


#: Rows per block in :func:`stroke_alpha`: temporaries of about this many floats stay in cache.
BLOCK_ELEMENTS = 1 << 19


def stroke_alpha(strokes: torch.Tensor, size: int, segments: int = SEGMENTS) -> torch.Tensor:
    """Coverage x opacity of each stroke on a ``size`` x ``size`` grid: ``(B, k, size, size)``.

    ``strokes`` is ``(B, k, 11)`` with parameters in [0, 1]. All strokes and segments of a
    block of rows are computed at once as ``(k, segments, rows, pixels)`` tensors; blocks
    are sized to keep those temporaries in cache, which on a CPU is worth more than one
    big tensor operation over the whole batch.
    """
    per_row = strokes.shape[1] * segments * size * size
    rows = max(1, BLOCK_ELEMENTS // per_row)
    if strokes.shape[0] > rows:
        return torch.cat([stroke_alpha(strokes[i : i + rows], size, segments) for i in range(0, strokes.shape[0], rows)])
    n, k, _ = strokes.shape
    points, u = bezier_points(strokes, segments)  # (n, k, S+1, 2)
    points = (points * size).permute(1, 2, 3, 0)  # (k, S+1, 2, n); pixel (i, j) has its centre at (j + 0.5, i + 0.5)
    radius = 0.5 + (strokes[..., 6:7] + (strokes[..., 7:8] - strokes[..., 6:7]) * u) * (MAX_RADIUS * size)
    opacity = strokes[..., 8:9] + (strokes[..., 9:10] - strokes[..., 8:9]) * u
    radius, opacity = radius.permute(1, 2, 0)[..., None], opacity.permute(1, 2, 0)[..., None]  # (k, S+1, n, 1)
    centres = torch.arange(size, dtype=strokes.dtype) + 0.5
    px = centres.repeat(size).view(1, 1, 1, -1)  # row-major pixels (1, 1, 1, P)
    py = centres.repeat_interleave(size).view(1, 1, 1, -1)
    ax, ay = points[:, :-1, 0, :, None], points[:, :-1, 1, :, None]  # segment starts (k, S, n, 1)
    bx, by = points[:, 1:, 0, :, None] - ax, points[:, 1:, 1, :, None] - ay  # segment vectors
    inv_len2 = 1.0 / (bx * bx + by * by).clamp_min(1e-12)
    dx, dy = px - ax, py - ay  # (k, S, n, P)
    w = (dx * bx).add_(dy * by).mul_(inv_len2).clamp_(0.0, 1.0)  # closest point on the segment
    dist = dx.sub_(w * bx).square_().add_(dy.sub_(w * by).square_()).sqrt_()
    r0, o0 = radius[:, :-1], opacity[:, :-1]
    cover = (w * (radius[:, 1:] - r0)).add_(r0 + 0.5).sub_(dist).clamp_(0.0, 1.0)
    alpha = cover.mul_(w.mul_(opacity[:, 1:] - o0).add_(o0)).amax(dim=1)  # max over segments: (k, n, P)
    return alpha.transpose(0, 1).reshape(n, k, size, size)


def render_strokes(canvas: torch.Tensor, strokes: torch.Tensor) -> torch.Tensor:
    """Paint ``strokes`` ``(B, k, 11)`` in order onto ``canvas`` ``(B, H, H)``; returns the new canvas."""
    if canvas.ndim != 3 or canvas.shape[1] != canvas.shape[2]:
        raise ValueError(f"canvas must be (B, H, H), got {tuple(canvas.shape)}")
    if strokes.ndim != 3 or strokes.shape[-1] != PARAMS_PER_STROKE or strokes.shape[0] != canvas.shape[0]:
        raise ValueError(f"strokes must be (B, k, {PARAMS_PER_STROKE}) with B = {canvas.shape[0]}, got {tuple(strokes.shape)}")
    alpha = stroke_alpha(strokes, canvas.shape[-1])
    intensity = strokes[..., 10][..., None, None]
    for j in range(strokes.shape[1]):
        canvas = canvas * (1.0 - alpha[:, j]) + alpha[:, j] * intensity[:, j]
    return canvas


def dot_stroke(x: float, y: float, radius_px: float, intensity: float, size: int) -> np.ndarray:
    """Parameters of a round dab centred at pixel coordinates ``(x, y)`` (a zero-length stroke)."""
    r = np.clip((radius_px - 0.5) / (MAX_RADIUS * size), 0.0, 1.0)
    cx, cy = (x + 0.5) / size, (y + 0.5) / size
    return np.array([cx, cy, cx, cy, cx, cy, r, r, 1.0, 1.0, intensity], dtype=np.float32)
