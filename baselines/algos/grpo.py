"""Group-relative policy optimisation (Shao et al., 2024, DeepSeekMath) on the sample-level view.

For each context, ``group_size`` samples are scored; advantages are the rewards
normalised within their group (no value network). The update is PPO's clipped surrogate
over sequence log-probabilities plus ``kl_coef`` times the k3 estimate of KL to the prior.
Unconditional tasks form one group per batch.
"""

from __future__ import annotations

import dataclasses

import torch

from baselines.common.loop import Batch
from baselines.common.policy import SequencePolicy


@dataclasses.dataclass
class Args:
    batch_size: int = 64
    group_size: int = 8
    lr: float = 5e-4
    clip: float = 0.2
    epochs: int = 2
    kl_coef: float = 0.04


class GRPO:
    def __init__(self, policy: SequencePolicy, prior: SequencePolicy | None, args: Args) -> None:
        if args.batch_size % args.group_size:
            raise ValueError(f"batch_size ({args.batch_size}) must be a multiple of group_size ({args.group_size})")
        self.policy, self.prior, self.args = policy, prior, args
        self.optimiser = torch.optim.Adam(policy.parameters(), lr=args.lr)

    def group_advantages(self, rewards: torch.Tensor, conditional: bool) -> torch.Tensor:
        groups = rewards.view(-1, self.args.group_size) if conditional else rewards.view(1, -1)
        adv = (groups - groups.mean(1, keepdim=True)) / (groups.std(1, keepdim=True) + 1e-6)
        return adv.reshape(-1)

    def update(self, batch: Batch) -> dict[str, float]:
        adv = self.group_advantages(batch.rewards, self.policy.mode != "none")
        with torch.no_grad():
            old = self.policy.token_log_probs(batch.contexts, batch.tokens, batch.lengths, batch.masks).sum(1)
            ref = None if self.prior is None else self.prior.token_log_probs(batch.contexts, batch.tokens, batch.lengths, batch.masks).sum(1)
        for _ in range(self.args.epochs):
            logp = self.policy.token_log_probs(batch.contexts, batch.tokens, batch.lengths, batch.masks).sum(1)
            ratio = (logp - old).exp()
            surrogate = torch.min(ratio * adv, ratio.clamp(1 - self.args.clip, 1 + self.args.clip) * adv)
            kl = torch.zeros_like(logp) if ref is None else (ref - logp).exp() - (ref - logp) - 1
            loss = -(surrogate - self.args.kl_coef * kl).mean()
            self.optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.policy.parameters(), 1.0)
            self.optimiser.step()
        return {"loss": loss.item(), "kl_to_prior": float(kl.mean().item())}
