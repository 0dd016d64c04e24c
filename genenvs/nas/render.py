"""A block diagram of a (partial) architecture for ``render_mode="rgb_array"``.

Left to right: the optimiser tag, the 8x8 input, one block per layer, the classifier head.
Block colour gives the layer type (conv blue, dense orange), height the width (8/16/32
units), block length the kernel (3 or 5; dense layers are thin), a dark foot the
activation (solid for ReLU, dashed for tanh) and an arc over the block a skip connection.
A layer still being written is drawn as an outline.
"""

from __future__ import annotations

import numpy as np

HEIGHT, WIDTH = 96, 320
COLORS = {
    "conv": (66, 133, 244),
    "dense": (244, 160, 66),
    "sgd": (200, 60, 60),
    "adam": (60, 160, 80),
    "input": (150, 150, 150),
    "head": (90, 90, 90),
    "ink": (30, 30, 30),
}


def _box(img: np.ndarray, top: int, left: int, height: int, width: int, color, fill: bool = True) -> None:
    bottom, right = min(top + height, HEIGHT), min(left + width, WIDTH)
    if fill:
        img[top:bottom, left:right] = color
    else:
        img[top:bottom, [left, right - 1]] = color
        img[[top, bottom - 1], left:right] = color


def _parse_partial(symbols: list[str]) -> tuple[str | None, list[dict]]:
    optimizer, layers = (symbols[0] if symbols else None), []
    for s in symbols[1:]:
        if s in ("conv", "dense"):
            layers.append({"kind": s, "complete": False})
        elif layers:
            layer = layers[-1]
            if s.startswith("w") and s[1:].isdigit():
                layer["width"] = int(s[1:])
            elif s.startswith("k") and s[1:].isdigit():
                layer["kernel"] = int(s[1:])
            elif s in ("skip", "noskip"):
                layer["skip"], layer["complete"] = s == "skip", True
            else:
                layer["activation"] = s
    return optimizer, layers


def draw_architecture(symbols: list[str]) -> np.ndarray:
    """``uint8 (96, 320, 3)`` picture of the architecture spelled by ``symbols``."""
    img = np.full((HEIGHT, WIDTH, 3), 255, dtype=np.uint8)
    optimizer, layers = _parse_partial(symbols)
    if optimizer is not None:
        _box(img, 4, 4, 10, 10, COLORS.get(optimizer, COLORS["ink"]))
    base = 78  # blocks stand on this line
    _box(img, base - 16, 8, 16, 16, COLORS["input"])
    x = 32
    for layer in layers:
        height = {8: 20, 16: 34, 32: 52}.get(layer.get("width", 16), 34)
        length = {3: 18, 5: 28}.get(layer.get("kernel", 0), 10)
        color = COLORS[layer["kind"]]
        _box(img, base - height, x, height, length, color, fill=layer["complete"])
        if layer.get("activation") == "relu":
            _box(img, base + 2, x, 3, length, COLORS["ink"])
        elif layer.get("activation") == "tanh":
            for dx in range(0, length, 4):
                _box(img, base + 2, x + dx, 3, 2, COLORS["ink"])
        if layer.get("skip"):
            top = base - height - 6
            img[top, x - 6 : x + length + 6] = COLORS["ink"]
            img[top : base - height // 2, [x - 6, x + length + 5]] = COLORS["ink"]
        x += length + 14
    if layers and layers[-1]["complete"]:
        _box(img, base - 12, x, 12, 6, COLORS["head"])
    return img
