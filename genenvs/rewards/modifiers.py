"""Score modifiers: map a raw property value to a desirability score.

These follow the modifier definitions of the GuacaMol benchmark (Brown et al., 2019,
J. Chem. Inf. Model. 59, 1096), which TDC and PMO reuse, so multi-property objectives
built from them score exactly as in those references. Each modifier is a small
vectorised callable with an identity, so it can be hashed into provenance.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Modifier:
    """Vectorised ``x -> f(x)`` with a stable identity."""

    name = "modifier"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def identity(self) -> dict[str, Any]:
        return {"name": self.name, "params": self.params()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.params().items())})"


class Identity(Modifier):
    name = "identity"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=np.float64)


class Linear(Modifier):
    """``slope * x``."""

    name = "linear"

    def __init__(self, slope: float = 1.0) -> None:
        self.slope = float(slope)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.slope * np.asarray(x, dtype=np.float64)


class Squared(Modifier):
    """``1 - coefficient * (target - x)^2``."""

    name = "squared"

    def __init__(self, target: float, coefficient: float = 1.0) -> None:
        self.target, self.coefficient = float(target), float(coefficient)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return 1.0 - self.coefficient * np.square(self.target - np.asarray(x, dtype=np.float64))


class Absolute(Modifier):
    """``1 - |target - x|``."""

    name = "absolute"

    def __init__(self, target: float) -> None:
        self.target = float(target)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return 1.0 - np.abs(self.target - np.asarray(x, dtype=np.float64))


class Gaussian(Modifier):
    """``exp(-((x - mu) / sigma)^2 / 2)``: 1 at ``mu``, falling off on both sides."""

    name = "gaussian"

    def __init__(self, mu: float, sigma: float) -> None:
        if sigma <= 0:
            raise ValueError(f"Gaussian modifier needs sigma > 0, got {sigma}")
        self.mu, self.sigma = float(mu), float(sigma)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.exp(-0.5 * np.square((x - self.mu) / self.sigma))


class MinGaussian(Gaussian):
    """Gaussian above ``mu``, 1 at or below it ("at most mu" constraints)."""

    name = "min_gaussian"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.where(x <= self.mu, 1.0, super().__call__(x))


class MaxGaussian(Gaussian):
    """Gaussian below ``mu``, 1 at or above it ("at least mu" constraints)."""

    name = "max_gaussian"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.where(x >= self.mu, 1.0, super().__call__(x))


class Clipped(Modifier):
    """Linear ramp from ``low_score`` at ``lower_x`` to ``high_score`` at ``upper_x``, clipped.

    ``upper_x < lower_x`` gives a decreasing ramp (smaller is better).
    """

    name = "clipped"

    def __init__(self, upper_x: float, lower_x: float = 0.0, high_score: float = 1.0, low_score: float = 0.0) -> None:
        if upper_x == lower_x:
            raise ValueError("Clipped modifier needs upper_x != lower_x")
        self.upper_x, self.lower_x = float(upper_x), float(lower_x)
        self.high_score, self.low_score = float(high_score), float(low_score)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        slope = (self.high_score - self.low_score) / (self.upper_x - self.lower_x)
        y = self.low_score + slope * (x - self.lower_x)
        lo, hi = min(self.low_score, self.high_score), max(self.low_score, self.high_score)
        return np.clip(y, lo, hi)


class SmoothClipped(Clipped):
    """Logistic version of :class:`Clipped`, centred between ``lower_x`` and ``upper_x``."""

    name = "smooth_clipped"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        middle = self.lower_x + (self.upper_x - self.lower_x) / 2.0
        k = 4.0 / (self.upper_x - self.lower_x)  # GuacaMol: the mid-point slope equals the linear ramp's
        return self.low_score + (self.high_score - self.low_score) / (1.0 + np.exp(-k * (x - middle)))


class Thresholded(Modifier):
    """``min(x, threshold) / threshold``: rewards up to a threshold, flat after it."""

    name = "thresholded"

    def __init__(self, threshold: float) -> None:
        if threshold <= 0:
            raise ValueError(f"Thresholded modifier needs threshold > 0, got {threshold}")
        self.threshold = float(threshold)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(np.asarray(x, dtype=np.float64), self.threshold) / self.threshold


class Chained(Modifier):
    """Apply modifiers left to right."""

    name = "chained"

    def __init__(self, *modifiers: Modifier) -> None:
        self.modifiers = list(modifiers)

    def params(self) -> dict[str, Any]:
        return {"modifiers": [m.identity() for m in self.modifiers]}

    def __call__(self, x: np.ndarray) -> np.ndarray:
        for modifier in self.modifiers:
            x = modifier(x)
        return np.asarray(x, dtype=np.float64)
