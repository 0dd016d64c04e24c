"""Data-driven rewards: a Bradley-Terry reward model learned from pairwise preferences.

Given pairs ``(a, b)`` where ``a`` was preferred, the model learns ``r`` such that
``P(a > b) = sigmoid(r(a) - r(b))`` (Bradley and Terry, 1952; the reward-model step of
RLHF, Christiano et al., 2017; Ouyang et al., 2022). :class:`PreferenceReward` then uses
``r`` as a scorer. Models are trained by our scripts, saved with their config, and shipped.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult
from genenvs.rewards.discriminator import tokens_of
from genenvs.rewards.networks import ScalarHead, TokenEncoder


class BradleyTerryModel:
    """A scalar reward network fitted to preferences."""

    def __init__(self, model: nn.Module, config: dict[str, Any] | None = None) -> None:
        self.model = model
        self.config = dict(config or {})

    @classmethod
    def for_tokens(cls, vocab_size: int, dim: int = 64, seed: int = 0) -> BradleyTerryModel:
        torch.manual_seed(seed)
        return cls(ScalarHead(TokenEncoder(vocab_size, dim)), {"kind": "tokens", "vocab_size": vocab_size, "dim": dim})

    def fit(self, preferred: torch.Tensor, rejected: torch.Tensor, epochs: int = 20, batch_size: int = 64, lr: float = 2e-3, seed: int = 0, weight_decay: float = 1e-4) -> list[float]:
        """Maximise ``log sigmoid(r(preferred) - r(rejected))``; returns the loss per epoch."""
        if len(preferred) != len(rejected) or len(preferred) == 0:
            raise ValueError(f"need equally many preferred and rejected samples (got {len(preferred)} and {len(rejected)})")
        gen = torch.Generator().manual_seed(seed)
        opt = torch.optim.Adam(self.model.parameters(), lr=lr, weight_decay=weight_decay)
        losses = []
        self.model.train()
        for _ in range(epochs):
            order = torch.randperm(len(preferred), generator=gen)
            total = 0.0
            for i in range(0, len(order), batch_size):
                idx = order[i : i + batch_size]
                margin = self.model(preferred[idx]) - self.model(rejected[idx])
                loss = -F.logsigmoid(margin).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            losses.append(total / len(order))
        self.model.eval()
        return losses

    @torch.no_grad()
    def reward(self, x: torch.Tensor) -> np.ndarray:
        self.model.eval()
        return self.model(x).numpy().astype(np.float64)

    @torch.no_grad()
    def accuracy(self, preferred: torch.Tensor, rejected: torch.Tensor) -> float:
        """Fraction of pairs ranked the way the data says."""
        return float((self.reward(preferred) > self.reward(rejected)).mean())

    # -- persistence -------------------------------------------------------------------
    def save(self, path: str | Path, metadata: dict[str, Any] | None = None) -> None:
        torch.save({"config": self.config, "state_dict": self.model.state_dict(), "metadata": metadata or {}}, path)

    @classmethod
    def load(cls, path: str | Path) -> BradleyTerryModel:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        config = blob["config"]
        if config.get("kind") != "tokens":
            raise ValueError(f"{path}: unknown reward model kind {config.get('kind')!r}")
        bt = cls.for_tokens(config["vocab_size"], config["dim"])
        bt.model.load_state_dict(blob["state_dict"])
        bt.model.eval()
        bt.metadata = blob.get("metadata", {})
        return bt

    def checksum(self) -> str:
        buf = io.BytesIO()
        torch.save(self.model.state_dict(), buf)
        return hashlib.sha256(buf.getvalue()).hexdigest()[:16]


class PreferenceReward(Scorer):
    """A fitted :class:`BradleyTerryModel` as a scorer (reward = ``r(x)``)."""

    version = "1"

    def __init__(self, model: BradleyTerryModel, featurize: Callable[[SampleBatch], torch.Tensor] = tokens_of, invalid_score: float = -5.0, name: str = "preference") -> None:
        self.bt = model
        self.featurize = featurize
        self.invalid_score = float(invalid_score)
        self.name = name

    def params(self) -> dict[str, Any]:
        return {"model": self.bt.checksum(), "invalid_score": self.invalid_score}

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.full(len(batch), self.invalid_score)
        idx = np.flatnonzero(batch.valid)
        if idx.size:
            scores[idx] = self.bt.reward(self.featurize(batch.subset(idx)))
        return ScoreResult.single(self.name, scores, batch.valid)
