"""Discriminator-based rewards: a classifier trained online on real vs generated samples.

SeqGAN (Yu et al., 2017) and SPIRAL (Ganin et al., 2018) reward the generator with a
discriminator's belief that its sample is real. :class:`DiscriminatorReward` scores a
batch with ``log D(x)`` (the log-probability of "real"), then, every ``update_every``
calls, trains ``D`` on fresh real samples against the generated ones it has seen. The
reward is therefore non-stationary by design; freeze it with ``train=False``.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult
from genenvs.rewards.networks import ScalarHead, TokenEncoder


def tokens_of(batch: SampleBatch) -> torch.Tensor:
    if batch.tokens is None:
        raise ValueError("this scorer needs token ids; the batch has none (pass featurize= for non-token samples)")
    return torch.as_tensor(batch.tokens, dtype=torch.long)


class DiscriminatorReward(Scorer):
    """Online real-vs-generated discriminator as a reward.

    Args:
        real_data: real samples in model input form (e.g. padded token ids ``(N, L)``, or
            image arrays with a matching ``featurize`` and ``model``).
        vocab_size: builds the default token CNN; ignored when ``model`` is given.
        model: any module mapping a feature batch to one logit per sample.
        featurize: ``SampleBatch -> tensor`` for the model (default: the token ids).
        update_every: train after this many scoring calls (0 never trains).
        steps, batch_size, lr: optimisation per update.
        buffer_size: how many recent generated samples to train against.
        invalid_score: reward of invalid samples (log-probability floor).
    """

    name = "discriminator"
    version = "1"

    def __init__(
        self,
        real_data: np.ndarray | torch.Tensor,
        vocab_size: int | None = None,
        *,
        model: nn.Module | None = None,
        featurize: Callable[[SampleBatch], torch.Tensor] = tokens_of,
        update_every: int = 1,
        steps: int = 5,
        batch_size: int = 64,
        lr: float = 1e-3,
        buffer_size: int = 2048,
        invalid_score: float = -10.0,
        train: bool = True,
        seed: int = 0,
        name: str = "discriminator",
    ) -> None:
        if model is None:
            if vocab_size is None:
                raise ValueError("DiscriminatorReward needs vocab_size (for the default token CNN) or a model")
            with torch.random.fork_rng():  # seed the initialisation without touching global RNG state
                torch.manual_seed(seed)
                model = ScalarHead(TokenEncoder(vocab_size))
        self.real = torch.as_tensor(np.asarray(real_data))
        if len(self.real) == 0:
            raise ValueError("DiscriminatorReward needs at least one real sample")
        self.model = model
        self.featurize = featurize
        self.update_every = int(update_every)
        self.steps, self.batch_size = int(steps), int(batch_size)
        self.lr = float(lr)
        self.invalid_score = float(invalid_score)
        self.train_online = train
        self.name = name
        self.optimiser = torch.optim.Adam(self.model.parameters(), lr=self.lr)
        self.fake: deque[torch.Tensor] = deque(maxlen=buffer_size)
        self._rng = np.random.default_rng(seed)
        self.calls = 0
        self.updates = 0
        self.last_accuracy = float("nan")

    def params(self) -> dict[str, Any]:
        digest = hashlib.sha256(self.real.numpy().tobytes()).hexdigest()[:16]
        return {"real_data": digest, "update_every": self.update_every, "steps": self.steps, "batch_size": self.batch_size, "lr": self.lr, "train": self.train_online}

    @torch.no_grad()
    def log_prob_real(self, x: torch.Tensor) -> np.ndarray:
        self.model.eval()
        return F.logsigmoid(self.model(x)).numpy().astype(np.float64)

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.full(len(batch), self.invalid_score)
        idx = np.flatnonzero(batch.valid)
        if idx.size:
            x = self.featurize(batch.subset(idx))
            scores[idx] = self.log_prob_real(x)
            self.fake.extend(x)
        self.calls += 1
        if self.train_online and self.update_every and self.calls % self.update_every == 0 and self.fake:
            self.update()
        return ScoreResult.single(self.name, scores, batch.valid)

    def observe_fake(self, x: torch.Tensor) -> None:
        """Add generated samples to train against without scoring them."""
        self.fake.extend(torch.as_tensor(x))

    def update(self) -> float:
        """A few optimisation steps on real vs buffered generated samples; returns the loss."""
        self.model.train()
        fake = torch.stack(list(self.fake))
        loss_value = 0.0
        for _ in range(self.steps):
            r = self.real[self._rng.integers(len(self.real), size=self.batch_size)]
            f = fake[self._rng.integers(len(fake), size=self.batch_size)]
            logits = self.model(torch.cat([r, f]))
            labels = torch.cat([torch.ones(len(r)), torch.zeros(len(f))])
            loss = F.binary_cross_entropy_with_logits(logits, labels)
            self.optimiser.zero_grad()
            loss.backward()
            self.optimiser.step()
            loss_value = loss.item()
            self.last_accuracy = ((logits > 0).float() == labels).float().mean().item()
        self.updates += 1
        self.model.eval()
        return loss_value
