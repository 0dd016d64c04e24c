"""Declarative composition of scorers.

``WeightedSum([(qed, 1.0), (sa, -0.1)])``, ``GeometricMean([...])`` and
``Modified(scorer, Gaussian(3, 1))`` build new scorers whose components include every
child's terms, so a composed reward never hides what it summed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult
from genenvs.rewards.modifiers import Modifier


def _unique_names(scorers: Sequence[Scorer]) -> list[str]:
    """Children's names, suffixed where two children share one."""
    names: list[str] = []
    for scorer in scorers:
        name, suffix = scorer.name, 2
        while name in names:
            name = f"{scorer.name}_{suffix}"
            suffix += 1
        names.append(name)
    return names


class _Composite(Scorer):
    version = "1"

    def __init__(self, scorers: Sequence[Scorer], weights: Sequence[float] | None = None, name: str | None = None) -> None:
        if not scorers:
            raise ValueError(f"{type(self).__name__} needs at least one scorer")
        for s in scorers:
            if not isinstance(s, Scorer):
                raise TypeError(f"{type(self).__name__} expects Scorer instances, got {type(s).__name__}")
        self.scorers = list(scorers)
        self.weights = np.ones(len(scorers)) if weights is None else np.asarray(weights, dtype=np.float64)
        if self.weights.shape != (len(self.scorers),):
            raise ValueError(f"got {len(self.weights)} weights for {len(self.scorers)} scorers")
        self.name = name or type(self).__name__.lower()

    def params(self) -> dict[str, Any]:
        return {"scorers": [s.identity() for s in self.scorers], "weights": self.weights.tolist()}

    def _combine(self, matrix: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def score(self, batch: SampleBatch) -> ScoreResult:
        results = [s(batch) for s in self.scorers]
        matrix = np.stack([r.scores for r in results], axis=0)  # (k, n)
        valid = np.logical_and.reduce([r.valid for r in results])
        scores = self._combine(matrix)
        components = dict(zip(_unique_names(self.scorers), self._terms(matrix)))
        return ScoreResult(scores=scores, components=components, valid=valid)

    def _terms(self, matrix: np.ndarray) -> list[np.ndarray]:
        """What each child contributed, reported as the components (its score by default)."""
        return list(matrix)


class WeightedSum(_Composite):
    """``sum_i w_i * s_i``. Accepts ``[(scorer, weight), ...]`` or scorers plus ``weights``.

    Components are the weighted terms ``w_i * s_i``, so they add up to the score.
    """

    def __init__(self, terms: Sequence[Any], weights: Sequence[float] | None = None, name: str = "weighted_sum") -> None:
        if weights is None and terms and isinstance(terms[0], tuple):
            scorers, weights = zip(*terms)
        else:
            scorers = terms
        super().__init__(list(scorers), weights, name)

    def _combine(self, matrix: np.ndarray) -> np.ndarray:
        return self.weights @ matrix

    def _terms(self, matrix: np.ndarray) -> list[np.ndarray]:
        return list(self.weights[:, None] * matrix)


class ArithmeticMean(_Composite):
    """Weighted arithmetic mean ``sum w_i s_i / sum w_i``."""

    def __init__(self, scorers: Sequence[Scorer], weights: Sequence[float] | None = None, name: str = "arithmetic_mean") -> None:
        super().__init__(scorers, weights, name)

    def _combine(self, matrix: np.ndarray) -> np.ndarray:
        return (self.weights @ matrix) / self.weights.sum()


class GeometricMean(_Composite):
    """Weighted geometric mean ``prod s_i^(w_i / sum w)`` (GuacaMol's MPO aggregation).

    Any zero term gives zero; negative terms are an error because the mean is undefined.
    """

    def __init__(self, scorers: Sequence[Scorer], weights: Sequence[float] | None = None, name: str = "geometric_mean") -> None:
        super().__init__(scorers, weights, name)

    def _combine(self, matrix: np.ndarray) -> np.ndarray:
        if np.any(matrix < 0):
            raise ValueError(f"{self.name}: geometric mean of negative scores is undefined")
        w = self.weights / self.weights.sum()
        with np.errstate(divide="ignore"):
            logs = np.log(matrix)
        return np.exp(w @ logs)


class Modified(Scorer):
    """Apply a :class:`~genenvs.rewards.modifiers.Modifier` to a scorer's output.

    The component is the modified value (the term that enters the reward).
    """

    version = "1"

    def __init__(self, scorer: Scorer, modifier: Modifier, name: str | None = None) -> None:
        self.scorer = scorer
        self.modifier = modifier
        self.name = name or scorer.name
        self.invalid_score = 0.0

    def params(self) -> dict[str, Any]:
        return {"scorer": self.scorer.identity(), "modifier": self.modifier.identity()}

    def score(self, batch: SampleBatch) -> ScoreResult:
        inner = self.scorer(batch)
        modified = np.where(inner.valid, self.modifier(inner.scores), self.invalid_score)
        components = {self.name: modified}
        return ScoreResult(scores=modified, components=components, valid=inner.valid)
