"""Multi-objective view: a vector of named reward terms, and a scalarisation of it.

Picks ``objectives`` (names of ``info["reward_components"]``) and returns them as a
vector at the end of each episode, in ``info["reward_vector"]``; the step reward becomes
the scalarisation: a weighted sum (``"linear"``) or the weighted Chebyshev form
``min_i w_i * (r_i - ref_i)`` (``"chebyshev"``), which can reach non-convex parts of the
Pareto front. With ``scalarization=None`` the reward itself is the vector (MO-Gymnasium's
convention). Per-step components are accumulated by the env and so arrive with the final
step too; intermediate steps give a zero vector.
"""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
import numpy as np

SCALARIZATIONS = ("linear", "chebyshev", None)


class MultiObjective(gym.Wrapper):
    def __init__(
        self,
        env: gym.Env,
        objectives: Sequence[str],
        weights: Sequence[float] | None = None,
        scalarization: str | None = "linear",
        reference: Sequence[float] | None = None,
    ) -> None:
        super().__init__(env)
        if not objectives:
            raise ValueError("MultiObjective needs at least one objective name")
        if scalarization not in SCALARIZATIONS:
            raise ValueError(f"scalarization must be one of {SCALARIZATIONS}, got {scalarization!r}")
        self.objectives = list(objectives)
        k = len(self.objectives)
        self.weights = np.ones(k) if weights is None else np.asarray(weights, dtype=np.float64)
        self.reference = np.zeros(k) if reference is None else np.asarray(reference, dtype=np.float64)
        if self.weights.shape != (k,) or self.reference.shape != (k,):
            raise ValueError(f"weights and reference need {k} entries, one per objective")
        self.scalarization = scalarization
        self.reward_space = gym.spaces.Box(-np.inf, np.inf, shape=(k,), dtype=np.float64)

    def step(self, action):
        obs, _, terminated, truncated, info = self.env.step(action)
        vector = np.zeros(len(self.objectives))
        if "reward_components" in info:
            components = info["reward_components"]
            missing = [name for name in self.objectives if name not in components]
            if missing:
                raise KeyError(f"objectives {missing} are not reward components of this env; it reports {sorted(components)}")
            vector = np.array([components[name] for name in self.objectives], dtype=np.float64)
            info["reward_vector"] = vector
        if self.scalarization is None:
            return obs, vector, terminated, truncated, info
        if self.scalarization == "linear":
            reward = float(self.weights @ vector)
        else:
            reward = float(np.min(self.weights * (vector - self.reference))) if "reward_vector" in info else 0.0
        return obs, reward, terminated, truncated, info
