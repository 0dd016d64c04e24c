"""Per-step reward terms (the dense part of a reward).

Most generation rewards arrive once, when the sample is finished. Some arrive at every
token: KL-control's ``beta * log p_ref(a_t | s_t)`` (RL Tuner; Jaques et al., 2017) is the
main one. A :class:`StepScorer` keeps per-row state (e.g. a recurrent reference model's
hidden state) so that n episodes advance together with one batched call.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class StepScorer:
    """Stateful per-token reward over ``num_rows`` parallel episodes.

    The environment calls :meth:`allocate` once, :meth:`reset_rows` when episodes start
    (with each row's context, whose ``prefix`` a language model may read first) and
    :meth:`step` with the actions of the rows that advance. The per-episode sum is
    reported under ``name`` in ``info["reward_components"]``.
    """

    name: str = "step"
    version: str = "1"

    def params(self) -> dict[str, Any]:
        return {}

    def identity(self) -> dict[str, Any]:
        from genenvs.rewards.base import _jsonable

        return {"name": self.name, "version": self.version, "params": _jsonable(self.params())}

    def allocate(self, num_rows: int) -> None:
        raise NotImplementedError

    def reset_rows(self, rows: np.ndarray, contexts: list[Any]) -> None:
        raise NotImplementedError

    def step(self, rows: np.ndarray, actions: np.ndarray) -> np.ndarray:
        """Reward of taking ``actions`` (one per row in ``rows``); advances those rows."""
        raise NotImplementedError


class LengthPenalty(StepScorer):
    """``-cost`` per generated token: a simple rule-based dense term."""

    name = "length_penalty"

    def __init__(self, cost: float = 0.01) -> None:
        self.cost = float(cost)

    def params(self) -> dict[str, Any]:
        return {"cost": self.cost}

    def allocate(self, num_rows: int) -> None:
        pass

    def reset_rows(self, rows: np.ndarray, contexts: list[Any]) -> None:
        pass

    def step(self, rows: np.ndarray, actions: np.ndarray) -> np.ndarray:
        return np.where(actions == 0, 0.0, -self.cost)
