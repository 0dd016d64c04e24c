"""A small recurrent language model over a genenvs vocabulary.

The suite's reference generators (molecule priors, the text LM, the melody Note-RNN) are
all this model: an embedding, a GRU and a linear head. It reads ids ``0..V`` (``V``, the
pad id, doubles as the start-of-sequence input) and predicts the next action id ``0..V-1``
(``0`` = end). It serves three roles: the prior for KL-control rewards, the starting
policy of the baselines, and the generator sampled by the ``prior`` baseline.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


@dataclasses.dataclass(frozen=True)
class LMConfig:
    vocab_size: int
    embed_dim: int = 128
    hidden_dim: int = 256
    num_layers: int = 2
    dropout: float = 0.0


class RecurrentLM(nn.Module):
    """GRU language model; ``vocab_size`` counts actions (the start id is ``vocab_size``)."""

    def __init__(self, config: LMConfig) -> None:
        super().__init__()
        self.config = config
        V = config.vocab_size
        self.embed = nn.Embedding(V + 1, config.embed_dim)
        self.gru = nn.GRU(config.embed_dim, config.hidden_dim, config.num_layers, batch_first=True, dropout=config.dropout if config.num_layers > 1 else 0.0)
        self.head = nn.Linear(config.hidden_dim, V)

    @property
    def start_id(self) -> int:
        return self.config.vocab_size

    # ------------------------------------------------------------------ forward
    def forward(self, inputs: torch.Tensor, hidden: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits ``(B, T, V)`` for inputs ``(B, T)``."""
        out, hidden = self.gru(self.embed(inputs), hidden)
        return self.head(out), hidden

    def initial_hidden(self, batch: int, device: torch.device | str | None = None) -> torch.Tensor:
        return torch.zeros(self.config.num_layers, batch, self.config.hidden_dim, device=device)

    def step(self, tokens: torch.Tensor, hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One step: logits ``(B, V)`` after reading ``tokens`` ``(B,)``."""
        logits, hidden = self.forward(tokens[:, None], hidden)
        return logits[:, 0], hidden

    def sequence_log_probs(self, targets: torch.Tensor, lengths: torch.Tensor, prefix_hidden: torch.Tensor | None = None) -> torch.Tensor:
        """Per-token log-probs ``(B, L+1)`` of ``targets`` (padded ids) followed by the end token.

        Positions past each sequence's end are zero.
        """
        B, L = targets.shape
        V = self.config.vocab_size
        start = torch.full((B, 1), V, dtype=torch.long, device=targets.device)
        seq = torch.cat([targets.clamp(max=V), torch.full((B, 1), V, dtype=torch.long, device=targets.device)], dim=1)
        positions = torch.arange(L + 1, device=targets.device)[None, :]
        outputs = torch.where(positions < lengths[:, None], seq, torch.zeros_like(seq))  # end token at position `length`
        inputs = torch.cat([start, seq[:, :-1]], dim=1)
        logits, _ = self.forward(inputs, prefix_hidden)
        logp = F.log_softmax(logits, dim=-1).gather(-1, outputs.clamp(max=V - 1)[..., None])[..., 0]
        return logp * (positions <= lengths[:, None])

    def log_prob(self, targets: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Total log-probability ``(B,)`` of each sequence including its end token."""
        return self.sequence_log_probs(targets, lengths).sum(dim=1)

    @torch.no_grad()
    def sample(self, n: int, max_length: int, generator: torch.Generator | None = None, temperature: float = 1.0, device: str | torch.device = "cpu") -> tuple[np.ndarray, np.ndarray]:
        """Draw ``n`` sequences; returns padded ids ``(n, max_length)`` and lengths."""
        V = self.config.vocab_size
        tokens = torch.full((n, max_length), V, dtype=torch.long, device=device)
        lengths = torch.zeros(n, dtype=torch.long, device=device)
        alive = torch.ones(n, dtype=torch.bool, device=device)
        hidden = self.initial_hidden(n, device)
        last = torch.full((n,), V, dtype=torch.long, device=device)
        for t in range(max_length):
            logits, hidden = self.step(last, hidden)
            probs = F.softmax(logits / temperature, dim=-1)
            nxt = torch.multinomial(probs, 1, generator=generator)[:, 0]
            alive &= nxt != 0
            tokens[alive, t] = nxt[alive]
            lengths += alive.long()
            last = nxt
            if not alive.any():
                break
        return tokens.cpu().numpy(), lengths.cpu().numpy()

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path, metadata: dict[str, Any] | None = None) -> None:
        torch.save({"config": dataclasses.asdict(self.config), "state_dict": self.state_dict(), "metadata": metadata or {}}, path)

    @classmethod
    def load(cls, path: str | Path, map_location: str | torch.device = "cpu") -> RecurrentLM:
        blob = torch.load(path, map_location=map_location, weights_only=True)
        model = cls(LMConfig(**blob["config"]))
        model.load_state_dict(blob["state_dict"])
        model.metadata = blob.get("metadata", {})
        model.eval()
        return model


def file_checksum(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def pad_sequences(sequences: Sequence[np.ndarray], pad_id: int, max_length: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Stack id sequences into a padded matrix; returns ``(ids, lengths)``."""
    L = max_length or max(len(s) for s in sequences)
    out = np.full((len(sequences), L), pad_id, dtype=np.int64)
    lengths = np.zeros(len(sequences), dtype=np.int64)
    for i, s in enumerate(sequences):
        n = min(len(s), L)
        out[i, :n] = s[:n]
        lengths[i] = n
    return out, lengths


def evaluate_nll(model: RecurrentLM, ids: np.ndarray, lengths: np.ndarray, batch_size: int = 512, device: str = "cpu") -> float:
    """Mean negative log-likelihood per sequence (nats) on a held-out set."""
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, len(ids), batch_size):
            x = torch.as_tensor(ids[i : i + batch_size], device=device)
            n = torch.as_tensor(lengths[i : i + batch_size], device=device)
            total += -model.log_prob(x, n).sum().item()
    return total / len(ids)


def fit_lm(
    model: RecurrentLM,
    ids: np.ndarray,
    lengths: np.ndarray,
    *,
    epochs: int = 10,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    device: str = "cpu",
    valid: tuple[np.ndarray, np.ndarray] | None = None,
    progress: bool = True,
    log: Any = print,
) -> list[dict[str, float]]:
    """Teacher-forced maximum-likelihood training (the ``mle`` baseline); returns per-epoch stats."""
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model.to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    steps_per_epoch = math.ceil(len(ids) / batch_size)
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(ids))
        total, count = 0.0, 0
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch + 1}/{epochs}", disable=not progress, leave=False)
        for b in bar:
            idx = order[b * batch_size : (b + 1) * batch_size]
            longest = int(lengths[idx].max())
            x = torch.as_tensor(ids[idx, :longest], device=device)
            n = torch.as_tensor(lengths[idx], device=device)
            loss = -model.log_prob(x, n).mean()
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimiser.step()
            total += loss.item() * len(idx)
            count += len(idx)
            bar.set_postfix(nll=f"{total / count:.3f}")
        stats = {"epoch": epoch + 1, "train_nll": total / count}
        if valid is not None:
            stats["valid_nll"] = evaluate_nll(model, *valid, device=device)
        history.append(stats)
        log(", ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in stats.items()))
    model.eval()
    return history


def state_bytes(model: nn.Module) -> int:
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.tell()
