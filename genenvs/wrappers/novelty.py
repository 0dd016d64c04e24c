"""Diversity pressure against mode collapse: penalise samples the agent has produced before.

REINVENT's diversity filters (Blaschke et al., 2020) zero the score of a molecule once its
bucket is full; :class:`NoveltyPenalty` is the simplest member of that family: the first
``max_repeats`` occurrences of a sample (by canonical key) are free, each later one costs
``penalty``. The term is reported as ``novelty_penalty`` in ``reward_components``.
"""

from __future__ import annotations

from collections import Counter

import gymnasium as gym


class NoveltyPenalty(gym.Wrapper):
    def __init__(self, env: gym.Env, penalty: float = 1.0, max_repeats: int = 1) -> None:
        super().__init__(env)
        if penalty < 0:
            raise ValueError(f"penalty must be >= 0, got {penalty}")
        if max_repeats < 1:
            raise ValueError(f"max_repeats must be >= 1, got {max_repeats}")
        self.penalty = float(penalty)
        self.max_repeats = int(max_repeats)
        self.counts: Counter = Counter()

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        if "sample" in info:
            key = info.get("canonical", info["sample"])
            key = key if isinstance(key, (str, int, float, tuple)) else repr(key)
            self.counts[key] += 1
            term = -self.penalty if self.counts[key] > self.max_repeats else 0.0
            info["reward_components"] = {**info.get("reward_components", {}), "novelty_penalty": term}
            reward = float(reward) + term
        return obs, reward, terminated, truncated, info
