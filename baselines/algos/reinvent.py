"""REINVENT (Olivecrona et al., 2017; Blaschke et al., 2020) on any token-level task.

The agent's sequence log-likelihood is regressed onto the *augmented likelihood*
``log p_prior(x) + sigma * S(x)``; an experience replay of the best samples seen so far
joins every batch. Defaults follow the tuned REINVENT of the PMO benchmark (Gao et al.,
2022): batch 64, sigma 500, learning rate 5e-4, replay of 24 from a buffer of 100.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from baselines.common.loop import Batch
from baselines.common.policy import SequencePolicy
from genenvs.rewards.kl_control import augmented_log_likelihood


@dataclasses.dataclass
class Args:
    batch_size: int = 64
    sigma: float = 500.0
    lr: float = 5e-4
    replay_size: int = 100
    replay_batch: int = 24


class Reinvent:
    def __init__(self, policy: SequencePolicy, prior: SequencePolicy, args: Args) -> None:
        if prior is None:
            raise ValueError("REINVENT needs the task's shipped prior (task.reference_model_path())")
        self.policy, self.prior, self.args = policy, prior, args
        self.optimiser = torch.optim.Adam(policy.parameters(), lr=args.lr)
        self.replay: dict[str, tuple[float, torch.Tensor, torch.Tensor]] = {}

    def _remember(self, batch: Batch) -> None:
        if self.policy.mode != "none":
            return  # a replayed sample would need its context; replay is for unconditional tasks
        for i, (sample, score, valid) in enumerate(zip(batch.samples, batch.scores, batch.valid)):
            if valid and str(sample) not in self.replay:
                self.replay[str(sample)] = (float(score), batch.tokens[i].cpu(), batch.lengths[i].cpu())
        if len(self.replay) > self.args.replay_size:
            keep = sorted(self.replay.items(), key=lambda kv: -kv[1][0])[: self.args.replay_size]
            self.replay = dict(keep)

    def _replay_batch(self, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None:
        if not self.replay:
            return None
        items = list(self.replay.values())
        pick = np.random.default_rng(len(items)).permutation(len(items))[: self.args.replay_batch]
        scores = torch.tensor([items[i][0] for i in pick], device=device)
        tokens = torch.stack([items[i][1] for i in pick]).to(device)
        lengths = torch.stack([items[i][2] for i in pick]).to(device)
        return tokens, lengths, scores

    def update(self, batch: Batch) -> dict[str, float]:
        device = batch.tokens.device
        tokens, lengths, scores, contexts = batch.tokens, batch.lengths, torch.as_tensor(batch.scores, dtype=torch.float32, device=device), batch.contexts
        replay = self._replay_batch(device)
        if replay is not None:
            tokens = torch.cat([tokens, replay[0]])
            lengths = torch.cat([lengths, replay[1]])
            scores = torch.cat([scores, replay[2]])
        agent = self.policy.token_log_probs(contexts, tokens, lengths).sum(1)
        with torch.no_grad():
            prior = self.prior.token_log_probs(contexts, tokens, lengths).sum(1)
        target = augmented_log_likelihood(prior, scores, self.args.sigma)
        loss = (target - agent).pow(2).mean()
        self.optimiser.zero_grad()
        loss.backward()
        self.optimiser.step()
        self._remember(batch)
        n = len(batch.samples)
        return {"loss": loss.item(), "kl_to_prior": float((agent[:n] - prior[:n]).mean().item())}
