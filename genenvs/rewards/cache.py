"""Score caching: a repeated sample costs a dictionary lookup, not an oracle call."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult


class CachedScorer(Scorer):
    """Memoise a context-free scorer on a canonical key of each valid sample.

    Only valid samples are cached (invalid ones cost nothing to score). The cache is an
    LRU bounded by ``max_entries``. ``hits`` and ``misses`` count lookups.
    """

    def __init__(self, scorer: Scorer, key: Callable[[Any], Hashable] = lambda s: s, max_entries: int = 1_000_000) -> None:
        self.scorer = scorer
        self.key = key
        self.max_entries = int(max_entries)
        self.name = scorer.name
        self.version = scorer.version
        self.invalid_score = scorer.invalid_score
        self._cache: OrderedDict[Hashable, tuple[float, dict[str, float], bool]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def identity(self) -> dict[str, Any]:
        return self.scorer.identity()  # caching never changes a score

    def score(self, batch: SampleBatch) -> ScoreResult:
        keys: list[Hashable | None] = [self.key(s) if v else None for s, v in zip(batch.samples, batch.valid)]
        # rows the inner scorer must see: invalid ones (cheap) and the first row of each new key
        todo: list[int] = []
        seen: set[Hashable] = set()
        for i, k in enumerate(keys):
            if k is None:
                todo.append(i)
            elif k not in self._cache and k not in seen:
                seen.add(k)
                todo.append(i)
        fresh: dict[int, tuple[float, dict[str, float], bool]] = {}
        if todo:
            result = self.scorer(batch.subset(np.asarray(todo, dtype=np.int64)))
            # read as Python lists once: indexing arrays element by element costs more than scoring invalid rows
            scores = np.asarray(result.scores, dtype=np.float64).tolist()
            columns = {c: np.asarray(v, dtype=np.float64).tolist() for c, v in result.components.items()}
            valid = np.asarray(result.valid, dtype=bool).tolist()
            for j, i in enumerate(todo):
                row = (scores[j], {c: v[j] for c, v in columns.items()}, valid[j])
                fresh[i] = row
                if keys[i] is not None:
                    self._cache[keys[i]] = row
        self.misses += len(seen)
        self.hits += sum(k is not None for k in keys) - len(seen)
        rows = []
        for i, k in enumerate(keys):
            if i in fresh:
                rows.append(fresh[i])
            else:
                self._cache.move_to_end(k)
                rows.append(self._cache[k])
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        scores = np.array([r[0] for r in rows], dtype=np.float64)
        names = list(rows[0][1]) if rows else [self.name]
        components = {c: np.array([r[1].get(c, np.nan) for r in rows], dtype=np.float64) for c in names}
        valid = np.array([r[2] for r in rows], dtype=bool)
        return ScoreResult(scores=scores, components=components, valid=valid)

    def clear(self) -> None:
        self._cache.clear()
        self.hits = self.misses = 0
