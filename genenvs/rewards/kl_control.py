"""Distributional rewards: KL-control toward a reference generator.

* :class:`KLControl` adds ``beta * log p_ref(a_t | s_t)`` at every token, the form of
  RL Tuner / Sequence Tutor (Jaques et al., 2017). Maximising the return plus the
  policy's own entropy is then maximising ``E[score] - beta * KL(pi || p_ref)`` per token;
  the entropy part is the agent's to add (it knows its own log-probabilities).
* :func:`augmented_log_likelihood` is REINVENT's target (Olivecrona et al., 2017):
  ``log p_prior(x) + sigma * score(x)``, which the agent's likelihood is regressed onto.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from genenvs.core.reference_lm import RecurrentLM, file_checksum
from genenvs.rewards.step import StepScorer


class KLControl(StepScorer):
    """Per-token log-probability of a :class:`RecurrentLM` reference, times ``beta``.

    Rows keep their own GRU hidden state, so n episodes cost one batched GRU step. If an
    episode's context has a ``prefix`` (a prompt in the same vocabulary), the reference
    reads it before the first generated token.
    """

    name = "kl_prior"

    def __init__(self, model: RecurrentLM, beta: float = 0.1, model_id: str | None = None, name: str = "kl_prior") -> None:
        if beta < 0:
            raise ValueError(f"beta must be >= 0, got {beta}")
        self.model = model.eval()
        self.beta = float(beta)
        self.model_id = model_id or "unnamed"
        self.name = name
        self._hidden: torch.Tensor | None = None
        self._last: torch.Tensor | None = None

    @classmethod
    def from_file(cls, path: str, beta: float = 0.1, name: str = "kl_prior") -> KLControl:
        return cls(RecurrentLM.load(path), beta, model_id=file_checksum(path), name=name)

    def params(self) -> dict[str, Any]:
        return {"beta": self.beta, "model": self.model_id}

    def allocate(self, num_rows: int) -> None:
        self._hidden = self.model.initial_hidden(num_rows)
        self._last = torch.full((num_rows,), self.model.start_id, dtype=torch.long)

    @torch.no_grad()
    def reset_rows(self, rows: np.ndarray, contexts: list[Any]) -> None:
        idx = torch.as_tensor(rows, dtype=torch.long)
        self._hidden[:, idx] = 0.0
        self._last[idx] = self.model.start_id
        for row, ctx in zip(rows, contexts):
            prefix = getattr(ctx, "prefix", None)
            if prefix is not None and len(prefix):
                inputs = torch.as_tensor(np.concatenate([[self.model.start_id], prefix[:-1]]), dtype=torch.long)[None]
                _, h = self.model(inputs)
                self._hidden[:, int(row)] = h[:, 0]
                self._last[int(row)] = int(prefix[-1])

    @torch.no_grad()
    def step(self, rows: np.ndarray, actions: np.ndarray) -> np.ndarray:
        idx = torch.as_tensor(rows, dtype=torch.long)
        logits, h = self.model.step(self._last[idx], self._hidden[:, idx])
        acts = torch.as_tensor(actions, dtype=torch.long)
        logp = F.log_softmax(logits, dim=-1).gather(1, acts[:, None])[:, 0]
        self._hidden[:, idx] = h
        self._last[idx] = acts
        return self.beta * logp.numpy().astype(np.float64)


def augmented_log_likelihood(prior_log_prob: np.ndarray | torch.Tensor, scores: np.ndarray | torch.Tensor, sigma: float = 120.0):
    """REINVENT's augmented likelihood ``log p_prior(x) + sigma * S(x)`` (sigma 120 in REINVENT 2/3)."""
    return prior_log_prob + sigma * scores
