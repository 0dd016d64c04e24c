"""REINFORCE with a moving-average baseline (Williams, 1992), optionally KL-regularised.

Sequence-level: ``loss = -(R - b) * log pi(x)``, with ``R`` the env's return and, when
``kl_coef > 0``, ``R - kl_coef * (log pi(x) - log p_prior(x))`` (the KL-control
objective estimated per sample).
"""

from __future__ import annotations

import dataclasses

import torch

from baselines.common.loop import Batch
from baselines.common.policy import SequencePolicy


@dataclasses.dataclass
class Args:
    batch_size: int = 64
    lr: float = 5e-4
    baseline_decay: float = 0.9
    kl_coef: float = 0.0
    entropy_coef: float = 0.0


class Reinforce:
    def __init__(self, policy: SequencePolicy, prior: SequencePolicy | None, args: Args) -> None:
        if args.kl_coef and prior is None:
            raise ValueError("kl_coef > 0 needs a prior the policy can be compared with")
        self.policy, self.prior, self.args = policy, prior, args
        self.optimiser = torch.optim.Adam(policy.parameters(), lr=args.lr)
        self.baseline: float | None = None

    def update(self, batch: Batch) -> dict[str, float]:
        logp = self.policy.token_log_probs(batch.contexts, batch.tokens, batch.lengths, batch.masks).sum(1)
        reward = batch.rewards
        kl = torch.zeros_like(reward)
        if self.prior is not None:
            with torch.no_grad():
                kl = logp.detach() - self.prior.token_log_probs(batch.contexts, batch.tokens, batch.lengths, batch.masks).sum(1)
            reward = reward - self.args.kl_coef * kl
        mean = reward.mean().item()
        self.baseline = mean if self.baseline is None else self.args.baseline_decay * self.baseline + (1 - self.args.baseline_decay) * mean
        advantage = reward - self.baseline
        loss = -(advantage * logp).mean() + self.args.entropy_coef * logp.mean()
        self.optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.policy.parameters(), 1.0)
        self.optimiser.step()
        return {"loss": loss.item(), "kl_to_prior": kl.mean().item(), "baseline": self.baseline}
