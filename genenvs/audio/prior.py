"""The shipped Note RNN: a :class:`~genenvs.core.reference_lm.RecurrentLM` over melody tokens.

It plays RL Tuner's "Reward RNN": the fixed prior whose ``log p(a | s)`` is the
KL-control term of AudioGen-v0's reward, and the starting policy of fine-tuning
baselines. It was trained by ``python -m genenvs.audio.data.train_prior`` on the Bach
chorale soprano windows of ``melodies.npz``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from genenvs.audio.data import DATA
from genenvs.audio.melody import MELODY_STEPS, actions_to_ids
from genenvs.core.reference_lm import RecurrentLM

PRIOR_FILE = "note_rnn.pt"


def prior_path() -> Path:
    return DATA / PRIOR_FILE


def load_prior() -> RecurrentLM:
    path = prior_path()
    if not path.exists():
        raise FileNotFoundError(f"the Note RNN prior {path} is missing; rebuild it with: python -m genenvs.audio.data.train_prior")
    return RecurrentLM.load(path)


def load_melodies(split: str = "train") -> np.ndarray:
    """Shipped chorale windows as RL Tuner actions ``(N, 32)``; ``split`` is ``"train"`` or ``"test"``."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    data = np.load(DATA / "melodies.npz")
    test = data["test"]
    return data["actions"][test if split == "test" else ~test].astype(np.int64)


@torch.no_grad()
def sample_melodies(model: RecurrentLM, n: int, seed: int = 0, steps: int = MELODY_STEPS, temperature: float = 1.0) -> np.ndarray:
    """Sample ``n`` melodies of exactly ``steps`` actions (``<end>`` is masked, as in the env)."""
    gen = torch.Generator().manual_seed(seed)
    hidden = model.initial_hidden(n)
    last = torch.full((n,), model.start_id, dtype=torch.long)
    out = torch.empty((n, steps), dtype=torch.long)
    for t in range(steps):
        logits, hidden = model.step(last, hidden)
        logits[:, 0] = -torch.inf
        last = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1, generator=gen)[:, 0]
        out[:, t] = last
    return out.numpy() - 1


@torch.no_grad()
def melody_log_prob(model: RecurrentLM, actions: np.ndarray) -> np.ndarray:
    """Sum of ``log p(a_t | a_<t)`` over the steps of each melody (no end token), ``(m,)``.

    This is the return of the KL-control term with ``beta = 1`` for the same melodies.
    """
    ids = torch.as_tensor(actions_to_ids(actions), dtype=torch.long)
    m, n = ids.shape
    inputs = torch.cat([torch.full((m, 1), model.start_id, dtype=torch.long), ids[:, :-1]], dim=1)
    logits, _ = model(inputs)
    return F.log_softmax(logits, dim=-1).gather(-1, ids[..., None])[..., 0].sum(dim=1).numpy().astype(np.float64)
