"""PMO's oracle-budget protocol as a wrapper (Gao et al., 2022, "Sample efficiency matters").

Only *unique, valid* samples count as oracle calls (keyed by the task's canonical form,
e.g. canonical SMILES); repeated samples reuse the cached score and cost nothing; invalid
samples use no budget. Every ``log_every`` calls the tracker records the top-1/10/100
means, and :meth:`BudgetTracker.auc_top_k` gives the area under the top-10 curve
normalised by the budget, padding a run that stopped early with its last value, as PMO
reports it.
"""

from __future__ import annotations

import heapq
from typing import Any

import gymnasium as gym
import numpy as np

from genenvs.core.errors import BudgetExhaustedError


class BudgetTracker:
    """Counts unique scored samples and keeps PMO's curves. Shared by both wrappers."""

    def __init__(self, budget: int, log_every: int = 100, top_ks: tuple[int, ...] = (1, 10, 100)) -> None:
        if budget < 1:
            raise ValueError(f"budget must be a positive number of oracle calls, got {budget}")
        self.budget = int(budget)
        self.log_every = int(log_every)
        self.top_ks = tuple(top_ks)
        self.scores: dict[Any, float] = {}
        self.order: list[Any] = []  # keys in the order they were first scored
        self._heap: list[float] = []  # the largest max(top_ks) scores
        self.curve: list[dict[str, float]] = []

    @property
    def calls(self) -> int:
        return len(self.order)

    @property
    def exhausted(self) -> bool:
        return self.calls >= self.budget

    def record(self, key: Any, score: float) -> bool:
        """Record a scored sample; returns True if it was a new oracle call."""
        if key in self.scores:
            return False
        if self.exhausted:
            raise BudgetExhaustedError(f"oracle budget of {self.budget} calls is spent")
        self.scores[key] = float(score)
        self.order.append(key)
        k = max(self.top_ks)
        if len(self._heap) < k:
            heapq.heappush(self._heap, float(score))
        elif score > self._heap[0]:
            heapq.heapreplace(self._heap, float(score))
        if self.calls % self.log_every == 0 or self.calls == self.budget:
            self.curve.append({"calls": self.calls, **self.top_means()})
        return True

    def top_means(self) -> dict[str, float]:
        """Mean of the best k scores so far (of all scores while fewer than k exist, as PMO)."""
        best = sorted(self._heap, reverse=True)
        return {f"top{k}": float(np.mean(best[:k])) if best else 0.0 for k in self.top_ks}

    def auc_top_k(self, k: int = 10) -> float:
        """Area under the top-k mean versus calls, divided by the budget (PMO's AUC).

        The curve is sampled every ``log_every`` calls and integrated with the trapezoid
        rule from (0, 0); a run that stopped before the budget is padded with its final
        value, so stopping early is never rewarded.
        """
        n = min(len(self.order), self.budget)
        if n == 0:
            return 0.0
        running, heap = [], []
        for key in self.order[:n]:
            s = self.scores[key]
            if len(heap) < k:
                heapq.heappush(heap, s)
            elif s > heap[0]:
                heapq.heapreplace(heap, s)
            running.append(sum(heap) / len(heap))
        freq = self.log_every
        area, prev, last_idx = 0.0, 0.0, 0
        for idx in range(freq, n, freq):
            cur = running[idx - 1]
            area += freq * (cur + prev) / 2
            prev, last_idx = cur, idx
        cur = running[n - 1]
        area += (n - last_idx) * (cur + prev) / 2
        area += (self.budget - n) * cur
        return float(area / self.budget)

    def summary(self) -> dict[str, float]:
        return {"oracle_calls": self.calls, **self.top_means(), "auc_top10": self.auc_top_k(10)}


def sample_key(info: dict[str, Any]) -> Any:
    return info.get("canonical", info.get("sample"))


class OracleBudget(gym.Wrapper):
    """Stop after ``budget`` unique valid samples were scored, logging PMO's metrics.

    Adds to the final ``info``: ``oracle_calls``, ``new_oracle_call`` and, once the budget
    is spent, ``budget_exhausted`` (the episode is then truncated). ``reset()`` after that
    raises :class:`~genenvs.core.errors.BudgetExhaustedError`.
    """

    def __init__(self, env: gym.Env, budget: int, log_every: int = 100) -> None:
        super().__init__(env)
        self.tracker = BudgetTracker(budget, log_every)

    def reset(self, **kwargs):
        if self.tracker.exhausted:
            raise BudgetExhaustedError(f"oracle budget of {self.tracker.budget} calls is spent; create a new OracleBudget to continue")
        return self.env.reset(**kwargs)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        if "sample" in info:
            new = bool(info.get("valid")) and self.tracker.record(sample_key(info), info["score"])
            info["new_oracle_call"] = new
            info["oracle_calls"] = self.tracker.calls
            if self.tracker.exhausted:
                info["budget_exhausted"] = True
                truncated = truncated or not terminated
        return obs, reward, terminated, truncated, info


class OracleBudgetVector(gym.vector.VectorWrapper):
    """:class:`OracleBudget` for vector envs (native or Sync/Async)."""

    def __init__(self, env: gym.vector.VectorEnv, budget: int, log_every: int = 100) -> None:
        super().__init__(env)
        self.tracker = BudgetTracker(budget, log_every)

    def step(self, actions):
        obs, rewards, terminated, truncated, infos = self.env.step(actions)
        finals = _final_infos(infos)
        for info in finals:
            if info.get("valid") and not self.tracker.exhausted:
                self.tracker.record(sample_key(info), info["score"])
        infos["oracle_calls"] = np.full(self.num_envs, self.tracker.calls)
        infos["_oracle_calls"] = np.ones(self.num_envs, dtype=bool)
        return obs, rewards, terminated, truncated, infos

    @property
    def exhausted(self) -> bool:
        return self.tracker.exhausted


def _final_infos(infos: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-episode final infos from a vector info dict (either autoreset mode)."""
    out = []
    if "final_info" in infos:  # SAME_STEP
        src, mask = infos["final_info"], infos.get("_final_info")
        if isinstance(src, dict):
            out.extend(_rows_of(src))
        else:
            out.extend(src[i] for i in np.flatnonzero(mask))
    if "sample" in infos:
        out.extend(_rows_of(infos))
    return out


def _rows_of(vector_info: dict[str, Any]) -> list[dict[str, Any]]:
    mask = vector_info.get("_sample")
    if mask is None:
        return []
    rows = []
    for i in np.flatnonzero(mask):
        rows.append({k: (v[i] if isinstance(v, np.ndarray) else v) for k, v in vector_info.items() if not k.startswith("_") and k in ("sample", "valid", "score", "canonical")})
    return rows
