"""Pictures for ``render_mode="rgb_array"``: a piano roll and spectrogram images (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from genenvs.audio.melody import MAX_PITCH, MELODY_STEPS, MIN_PITCH, melody_notes

CELL_W, CELL_H = 12, 8
_BLACK_KEYS = {1, 3, 6, 8, 10}


def piano_roll(events: Sequence[int], steps: int = MELODY_STEPS) -> np.ndarray:
    """RGB uint8 ``(36 * 8, steps * 12, 3)``: time left to right, pitch 48..83 bottom to top.

    Black-key rows are shaded, C rows and bar lines (every 16 steps) are drawn darker,
    beats (every 4 steps) lighter; each note is a bar with a darker onset cell.
    """
    rows = MAX_PITCH - MIN_PITCH + 1
    img = np.full((rows * CELL_H, steps * CELL_W, 3), 250, dtype=np.uint8)
    for pitch in range(MIN_PITCH, MAX_PITCH + 1):
        top = (MAX_PITCH - pitch) * CELL_H
        if pitch % 12 in _BLACK_KEYS:
            img[top : top + CELL_H] = 232
        if pitch % 12 == 0:
            img[top + CELL_H - 1] = 190
    for step in range(0, steps, 4):
        img[:, step * CELL_W] = 160 if step % 16 == 0 else 215
    for note in melody_notes(list(events)[:steps]):
        top = (MAX_PITCH - note.pitch) * CELL_H
        img[top + 1 : top + CELL_H - 1, note.start * CELL_W + 1 : note.end * CELL_W - 1] = (70, 130, 200)
        img[top + 1 : top + CELL_H - 1, note.start * CELL_W + 1 : note.start * CELL_W + CELL_W // 2] = (30, 70, 140)
    return img


# A perceptually ordered dark-to-bright ramp (anchors sampled by eye from "magma").
_RAMP = np.array([[0, 0, 4], [59, 15, 112], [140, 41, 129], [222, 73, 104], [254, 159, 109], [252, 253, 191]], dtype=np.float64)


def colorize(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map a 2-D array onto the colour ramp; ``low`` / ``high`` are the ends of the scale."""
    x = np.clip((np.asarray(values, dtype=np.float64) - low) / max(high - low, 1e-12), 0.0, 1.0) * (len(_RAMP) - 1)
    i = np.minimum(x.astype(np.int64), len(_RAMP) - 2)
    frac = (x - i)[..., None]
    return ((1 - frac) * _RAMP[i] + frac * _RAMP[i + 1]).astype(np.uint8)


def spectrogram_panels(spectrograms: Sequence[np.ndarray], low: float, high: float, scale: int = 4, gap: int = 4) -> np.ndarray:
    """Side-by-side images of ``(n_mels, frames)`` spectrograms, low frequencies at the bottom."""
    panels = []
    for spec in spectrograms:
        img = colorize(np.asarray(spec)[::-1], low, high)
        panels.append(np.repeat(np.repeat(img, scale, axis=0), scale, axis=1))
        panels.append(np.full((panels[-1].shape[0], gap, 3), 255, dtype=np.uint8))
    return np.concatenate(panels[:-1], axis=1)
