"""The synthetic oracle of TextOracle-v0 (SeqGAN's benchmark; Yu et al., 2017; Texygen, Zhu et al., 2018).

A recurrent language model with random weights *is* the true data distribution, so the
quality of a generator can be measured exactly: NLL-oracle is the oracle's negative
log-likelihood of the generator's samples. SeqGAN used an LSTM oracle with embedding and
hidden size 32, weights drawn from N(0, 1), a 5,000-word vocabulary and sequences of 20
tokens. Ours is the suite's :class:`~genenvs.core.reference_lm.RecurrentLM` (a GRU) with
the same sizes and initialisation (output layer N(0, 0.5^2), see ``data/build_oracle.py``)
but ``ORACLE_WORDS = 1000`` words, so CPU agents learn in minutes; its numbers are
therefore not comparable with SeqGAN's table.

Sequences have exactly ``ORACLE_LENGTH`` tokens and no end token (the oracle never ends
a sequence; the environment masks ``<end>``). Words are named ``w1 .. w1000``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from genenvs.core.reference_lm import RecurrentLM
from genenvs.core.vocab import Vocabulary

DATA = Path(__file__).resolve().parent / "data"
ORACLE_WORDS = 1000
ORACLE_LENGTH = 20
ORACLE_FILE = DATA / "oracle.pt"
SAMPLES_FILE = DATA / "oracle_samples.npz"


@functools.cache
def oracle_vocab() -> Vocabulary:
    """``<end>`` (never used) and the words ``w1 .. w1000`` (genenvs ids 1..1000)."""
    return Vocabulary(f"w{i}" for i in range(1, ORACLE_WORDS + 1))


@functools.cache
def load_oracle() -> RecurrentLM:
    """The shipped oracle (built by ``python -m genenvs.text.data.build_oracle``)."""
    return RecurrentLM.load(ORACLE_FILE)


@functools.cache
def _samples() -> dict[str, np.ndarray]:
    with np.load(SAMPLES_FILE) as data:
        return {k: data[k].astype(np.int64) for k in data.files}


def load_oracle_samples(split: str = "train") -> np.ndarray:
    """Oracle samples, genenvs ids ``(N, 20)``: ``train`` (10,000; the discriminator's real
    data) or ``test`` (2,000; the references of BLEU and the data of NLL-test)."""
    data = _samples()
    if split not in data:
        raise ValueError(f"split must be one of {sorted(data)}, got {split!r}")
    return data[split].copy()


@torch.no_grad()
def sequence_log_likelihood(model: RecurrentLM, ids: np.ndarray) -> np.ndarray:
    """``log p(x_1..x_T)`` under ``model`` for full-length sequences ``(N, T)``, without an end term."""
    x = torch.as_tensor(np.asarray(ids, dtype=np.int64))
    start = torch.full((len(x), 1), model.start_id, dtype=torch.long)
    logits, _ = model(torch.cat([start, x[:, :-1]], dim=1))
    logp = F.log_softmax(logits, dim=-1).gather(-1, x[..., None])[..., 0]
    return logp.sum(dim=1).double().numpy()


def oracle_log_likelihood(ids: np.ndarray) -> np.ndarray:
    """The oracle's log-likelihood of each 20-token sequence (genenvs ids ``(N, 20)``)."""
    ids = np.asarray(ids)
    if ids.ndim != 2 or ids.shape[1] != ORACLE_LENGTH:
        raise ValueError(f"oracle sequences have shape (N, {ORACLE_LENGTH}), got {ids.shape}")
    if ids.min() < 1 or ids.max() > ORACLE_WORDS:
        raise ValueError(f"oracle token ids lie in 1..{ORACLE_WORDS}, got {ids.min()}..{ids.max()}")
    return sequence_log_likelihood(load_oracle(), ids)
