"""scikit-learn's bundled handwritten digits as the image domain's data set.

The 1,797 8x8 images (UCI optical recognition of handwritten digits, Alpaydin and
Kaynak, 1998) ship inside scikit-learn, so nothing is downloaded. They are upsampled
bilinearly (16x16 for the diffusion model, 32x32 or more for painting targets) because
8x8 is too coarse to see strokes. The split is fixed by position (every fifth image is
held out), which does not depend on any random number generator's version.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

SPLITS = ("train", "test", "all")
NUM_CLASSES = 10


@functools.lru_cache(maxsize=1)
def raw_digits() -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)``: float32 ``(1797, 8, 8)`` in [0, 1] and int64 ``(1797,)``."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return (data.images / 16.0).astype(np.float32), data.target.astype(np.int64)


def split_index(split: str) -> np.ndarray:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    n = len(raw_digits()[1])
    index = np.arange(n)
    if split == "all":
        return index
    held_out = index % 5 == 0
    return index[held_out] if split == "test" else index[~held_out]


def upsample(images: np.ndarray, size: int) -> np.ndarray:
    """Bilinear resize of ``(N, h, w)`` images to ``(N, size, size)`` (values stay in [0, 1])."""
    x = torch.as_tensor(images, dtype=torch.float32)[:, None]
    if x.shape[-1] != size:
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return x[:, 0].clamp(0.0, 1.0).numpy()


@functools.lru_cache(maxsize=8)
def digit_images(size: int = 16, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)`` of one split at ``size`` x ``size``: float32 in [0, 1], ink = 1."""
    if size < 8:
        raise ValueError(f"size must be >= 8 (the digits are 8x8), got {size}")
    images, labels = raw_digits()
    index = split_index(split)
    out = upsample(images[index], size)
    out.setflags(write=False)
    return out, labels[index]


def to_model_range(images01: np.ndarray | torch.Tensor) -> torch.Tensor:
    """[0, 1] images ``(N, H, W)`` -> model input ``(N, 1, H, W)`` in [-1, 1]."""
    x = torch.tensor(np.asarray(images01), dtype=torch.float32)
    return (x * 2.0 - 1.0)[:, None]


def digits_checksum() -> str:
    """SHA-256 (16 hex) of the raw digits array, recorded with every model trained on it."""
    images, labels = raw_digits()
    return hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()[:16]


def checked_index(value: Any, limit: int, name: str) -> int | None:
    """``value`` as an int in ``[0, limit)`` (``None`` passes through), else a ValueError naming ``name``."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not 0 <= value < limit:
        raise ValueError(f"{name} must be an integer in [0, {limit}), got {value!r}")
    return int(value)
