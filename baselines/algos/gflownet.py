"""Trajectory-balance GFlowNet (Malkin et al., 2022) on the token-level tasks.

A GFlowNet learns to sample ``x`` with probability proportional to a reward ``R(x)``
instead of maximising it, so it keeps producing *diverse* good samples where RL tends to
collapse onto one mode (Bengio et al., 2021). Trajectory balance asks, for every sampled
trajectory ``tau`` ending in ``x``::

    log Z + sum_t log P_F(s_{t+1} | s_t) = log R(x) + sum_t log P_B(s_t | s_{t+1})

and minimises the squared difference. Generation here is autoregressive: each state (a
token prefix) has exactly one parent, so the backward policy is ``P_B = 1`` and the loss
is ``(log Z + log P_F(x) - log R(x))^2`` with ``log P_F(x)`` the policy's sequence
log-likelihood (end token included). ``log Z`` is learned, with its own learning rate;
conditional tasks learn ``log Z(c)`` from the policy's encoding of the context.

Reward: ``R(x) = max(score, reward_floor) ** beta`` (``log_reward="power"``, for scores
such as QED in [0, 1]), or ``R(x) = exp(beta * score)`` (``"exp"``, for scores that are
log-likelihoods or can be negative). Note that several token sequences can spell one
molecule (SELFIES and SMILES are not unique), so the distribution matched is over
sequences. Samples are drawn and scored by the shared sample-level loop
(:func:`baselines.common.loop.train_sequence_algorithm`), so oracle budgets, top-k and AUC
are counted as for REINVENT; the run also reports the diversity of what it found.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from baselines.common.diversity import sample_diversity, sample_diversity_of
from baselines.common.envs import budget_unit
from baselines.common.loop import Batch, train_sequence_algorithm
from baselines.common.policy import SequencePolicy
from baselines.common.run_logger import RunLogger

LOG_REWARDS = ("power", "exp")


@dataclasses.dataclass
class Args:
    batch_size: int = 64
    lr: float = 5e-4
    lr_log_z: float = 0.1  # log Z is one number (per context): it takes larger steps than the policy
    beta: float = 30.0  # reward exponent (inverse temperature): higher trades diversity for reward
    reward_floor: float = 1e-4  # R(x) = max(score, reward_floor) ** beta keeps log R finite
    log_reward: str = "power"  # "power" or "exp" (see the module docstring)
    init: str = "prior"  # "prior" (the shipped reference generator) or "scratch"
    max_grad_norm: float = 1.0


class TrajectoryBalance:
    """The TB objective for an autoregressive :class:`SequencePolicy`."""

    def __init__(self, policy: SequencePolicy, args: Args, molecules: bool = False) -> None:
        if args.log_reward not in LOG_REWARDS:
            raise ValueError(f"log_reward must be one of {LOG_REWARDS}, got {args.log_reward!r}")
        if args.beta <= 0 or args.reward_floor <= 0:
            raise ValueError(f"beta and reward_floor must be positive, got {args.beta} and {args.reward_floor}")
        self.policy, self.args, self.molecules = policy, args, molecules
        device = next(policy.parameters()).device
        # log Z(c) = w . h(c) + b, with h(c) the policy's (detached) encoding of the context;
        # for unconditional tasks h is constant and log Z is the bias alone.
        self.log_z = nn.Linear(policy.lm.config.hidden_dim, 1).to(device)
        nn.init.zeros_(self.log_z.weight)
        nn.init.zeros_(self.log_z.bias)
        self.optimiser = torch.optim.Adam([{"params": policy.parameters(), "lr": args.lr}, {"params": self.log_z.parameters(), "lr": args.lr_log_z}])
        self.initialised = False

    def log_reward(self, scores: np.ndarray, device) -> torch.Tensor:
        s = torch.as_tensor(scores, dtype=torch.float32, device=device)
        if self.args.log_reward == "exp":
            return self.args.beta * s
        return self.args.beta * torch.log(s.clamp(min=self.args.reward_floor))

    def log_partition(self, contexts: Any, batch: int) -> torch.Tensor:
        with torch.no_grad():
            h, _ = self.policy.initial_state(contexts, batch)
        return self.log_z(h[-1])[:, 0]

    def update(self, batch: Batch) -> dict[str, float]:
        device = batch.tokens.device
        log_pf = self.policy.token_log_probs(batch.contexts, batch.tokens, batch.lengths, batch.masks).sum(1)
        log_r = self.log_reward(batch.scores, device)
        if not self.initialised:
            # Start from the importance-sampling estimate Z ~ mean R(x) / P_F(x) over the
            # first batch. From log Z = 0 the first gradients would mostly inflate log P_F
            # of whatever was sampled (residuals are tens of nats), sharpening the policy.
            with torch.no_grad():
                estimate = torch.logsumexp(log_r - log_pf, 0) - math.log(len(log_r))
                self.log_z.bias.fill_(float(estimate))
            self.initialised = True
        log_z = self.log_partition(batch.contexts, len(batch.samples))
        residual = log_z + log_pf - log_r
        loss = residual.pow(2).mean()
        self.optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.policy.parameters(), self.args.max_grad_norm)
        self.optimiser.step()
        return {"loss": loss.item(), "log_z": float(log_z.mean().item()), "log_pf": float(log_pf.mean().item()), "log_reward": float(log_r.mean().item()), **{f"batch_{k}": v for k, v in sample_diversity_of(batch.samples, batch.valid, self.molecules).items()}}


# ---------------------------------------------------------------------------- diversity
def train(args: Args, cli, out, record, env_kwargs) -> dict:
    probe = gym.make(cli.env, disable_env_checker=True, **(env_kwargs or {}))
    task = probe.unwrapped.task
    probe.close()
    oracle = budget_unit(cli.env) == "oracle_calls"
    policy = SequencePolicy.from_task(task, init=args.init).to(cli.device)
    learner = TrajectoryBalance(policy, args, molecules=oracle)
    logger = RunLogger(out, record, main_metric="top10" if oracle else "mean_score")
    result = train_sequence_algorithm(learner, policy, cli, logger, cli.device, env_kwargs)
    torch.save({"policy": policy.state_dict(), "log_z": learner.log_z.state_dict()}, Path(out) / "checkpoint.pt")
    last = logger.rows[-1]
    diversity = {f"{k}_top100": v for k, v in sample_diversity(cli.env, [s["sample"] for s in result["samples"]]).items()}
    metrics = {**result["metrics"], **diversity, "loss_last": last["loss"], "log_z_last": last["log_z"]}
    unit = "oracle_calls" if oracle else "samples"
    return logger.finish(metrics, result["samples"], result["provenance"], result["budget"], x=unit, oracle_call_order=result["oracle_call_order"])
