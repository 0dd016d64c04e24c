"""Reference points that learn nothing: ``random`` (uniform legal tokens or actions) and ``prior``.

``random`` is the floor every method must beat; ``prior`` samples the shipped reference
generator, i.e. what maximum-likelihood training alone achieves.
"""

from __future__ import annotations

import dataclasses
from collections import deque

import gymnasium as gym
import numpy as np
import torch

from baselines.common.loop import Batch
from baselines.common.policy import SequencePolicy
from baselines.common.run_logger import RunLogger


@dataclasses.dataclass
class Args:
    batch_size: int = 64


def uniform_policy(task) -> SequencePolicy:
    """A policy whose logits are all zero: every legal token is equally likely."""
    policy = SequencePolicy.from_task(task, init="scratch", hidden_dim=8, num_layers=1)
    with torch.no_grad():
        policy.lm.head.weight.zero_()
        policy.lm.head.bias.zero_()
    return policy


class NoUpdate:
    def update(self, batch: Batch) -> dict[str, float]:
        return {}


def train_uniform_actions(args: Args, cli, out, record, env_kwargs) -> dict:
    """``random`` where there is no token task: uniform actions from the action space.

    For environments whose actions are strokes, synthesiser parameters or graph edits; where
    the env marks valid actions (``info["action_mask"]``) only those are drawn. The budget
    counts environment steps. ``mean_score_last`` is the mean score of the last
    ``batch_size`` finished episodes, which the run stores whole so it can be verified.
    """
    env = gym.make(cli.env, **(env_kwargs or {}))
    # a stream of its own: with the env's seed, SynthMatch's uniform actions would replay its uniform targets
    env.action_space.seed(int(np.random.SeedSequence([cli.seed, 1]).generate_state(1)[0]))
    logger = RunLogger(out, record, main_metric="mean_score")
    recent: deque[tuple[str | None, float, bool]] = deque(maxlen=args.batch_size)  # (record, score, valid)
    best: dict[str, float] = {}  # samples stored in the entry: text such as SMILES, not arrays
    best_score, episodes = -np.inf, 0
    _, info = env.reset(seed=cli.seed)
    for step in range(1, cli.budget + 1):
        mask = info.get("action_mask")
        action = env.action_space.sample(mask=np.asarray(mask, dtype=np.int8)) if mask is not None else env.action_space.sample()
        _, _, terminated, truncated, info = env.step(action)
        if not (terminated or truncated):
            continue
        episodes += 1
        recent.append((info.get("sample_record"), float(info["score"]), bool(info["valid"])))
        if info["valid"]:
            best_score = max(best_score, float(info["score"]))
            if isinstance(info["sample"], str):
                best[info["sample"]] = max(best.get(info["sample"], -np.inf), float(info["score"]))
        if episodes % args.batch_size == 0:
            logger.log(step, mean_score=np.mean([s for _, s, _ in recent]), validity=np.mean([v for _, _, v in recent]), episodes=episodes)
        _, info = env.reset()
    if not recent:
        raise ValueError(f"a budget of {cli.budget} steps finished no episode of {cli.env}; raise --budget")
    metrics = {**logger.set_final_batch(*zip(*recent)), "best_score": best_score if best_score > -np.inf else float("nan"), "episodes": episodes}
    provenance = env.unwrapped.provenance
    env.close()
    top = sorted(best.items(), key=lambda kv: -kv[1])[:100]
    return logger.finish(metrics, [{"sample": s, "score": v} for s, v in top], provenance, {"unit": "env_steps", "value": cli.budget, "used": cli.budget})
