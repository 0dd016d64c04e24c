"""Stable-Baselines3 / sb3-contrib on genenvs environments, with no special casing.

The environment is what ``gym.make(ID)`` returns; SB3's ``MultiInputPolicy`` reads the
``Dict`` observation, and ``MaskablePPO`` finds ``action_masks()`` through the wrappers.
The one adaptation is SB3's own limit: it rejects nested ``Dict`` spaces, so conditional
tasks (whose ``context`` is a ``Dict``) go through ``genenvs.wrappers.FlattenDictObservation``. This is the plug-and-play check: if these runners needed glue, the environments
would not be standard. The budget counts environment steps.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from pathlib import Path

import gymnasium as gym
import numpy as np

import genenvs  # noqa: F401


@dataclasses.dataclass
class Args:
    n_envs: int = 8
    learning_rate: float = 3e-4
    n_steps: int = 128
    batch_size: int = 64
    gamma: float = 1.0
    ent_coef: float = 0.01
    log_every: int = 2048
    final_batch: int = 64  # the last episodes, stored whole; mean_score_last is their mean


def _flat(env: gym.Env) -> gym.Env:
    """SB3 accepts a Dict of spaces but not a Dict inside a Dict."""
    from genenvs.wrappers import FlattenDictObservation

    nested = isinstance(env.observation_space, gym.spaces.Dict) and any(isinstance(s, gym.spaces.Dict) for s in env.observation_space.spaces.values())
    return FlattenDictObservation(env) if nested else env


def _model(algo: str, env, args: Args, seed: int, device: str):
    common = {"seed": seed, "device": device, "verbose": 0, "learning_rate": args.learning_rate, "gamma": args.gamma}
    if algo == "sb3-ppo":
        from stable_baselines3 import PPO

        return PPO("MultiInputPolicy", env, n_steps=args.n_steps, batch_size=args.batch_size, ent_coef=args.ent_coef, **common)
    if algo == "sb3-a2c":
        from stable_baselines3 import A2C

        return A2C("MultiInputPolicy", env, n_steps=min(args.n_steps, 16), ent_coef=args.ent_coef, **common)
    if algo == "sb3-dqn":
        from stable_baselines3 import DQN

        return DQN("MultiInputPolicy", env, batch_size=args.batch_size, learning_starts=min(1000, args.log_every), buffer_size=50_000, **common)
    if algo == "sb3-maskable-ppo":
        from sb3_contrib import MaskablePPO

        return MaskablePPO("MultiInputPolicy", env, n_steps=args.n_steps, batch_size=args.batch_size, ent_coef=args.ent_coef, **common)
    raise ValueError(f"unknown SB3 algorithm {algo!r}")


def train(args: Args, cli, out, record, env_kwargs) -> dict:
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env

    from baselines.common.run_logger import RunLogger

    logger = RunLogger(out, record, main_metric="mean_score")
    n_envs = 1 if cli.algo == "sb3-dqn" else args.n_envs
    env = make_vec_env(lambda: _flat(gym.make(cli.env, **(env_kwargs or {}))), n_envs=n_envs, seed=cli.seed)
    best: dict[str, float] = {}
    best_score = [-np.inf]  # over every valid episode, stored or not
    recent: deque[tuple[str | None, float, bool]] = deque(maxlen=args.final_batch)  # the final batch: (record, score, valid)

    class Scores(BaseCallback):
        """Collects final scores of finished episodes and logs them every ``log_every`` steps."""

        def __init__(self) -> None:
            super().__init__()
            self.window: list[tuple[float, bool]] = []
            self.last_log = 0

        def _on_step(self) -> bool:
            for info in self.locals["infos"]:
                if "score" in info:
                    self.window.append((info["score"], info["valid"]))
                    recent.append((info.get("sample_record"), info["score"], info["valid"]))
                    if info["valid"]:
                        best_score[0] = max(best_score[0], float(info["score"]))
                        if not isinstance(info["sample"], np.ndarray):  # arrays (canvases, sounds) stay out of the entry
                            key = str(info["sample"])
                            best[key] = max(best.get(key, -np.inf), float(info["score"]))
            if self.num_timesteps - self.last_log >= args.log_every and self.window:
                scores = np.array([s for s, _ in self.window])
                logger.log(self.num_timesteps, mean_score=scores.mean(), max_score=scores.max(), validity=np.mean([v for _, v in self.window]), episodes=len(scores))
                self.window, self.last_log = [], self.num_timesteps
            return True

    model = _model(cli.algo, env, args, cli.seed, str(cli.device))
    model.learn(total_timesteps=cli.budget, callback=Scores(), progress_bar=True)
    model.save(Path(out) / "checkpoint")
    provenance = env.get_attr("provenance")[0]
    env.close()
    top = sorted(best.items(), key=lambda kv: -kv[1])[:100]
    final_batch = logger.set_final_batch(*zip(*recent)) if recent else {"mean_score_last": float("nan"), "validity_last": float("nan")}
    metrics = {**final_batch, "best_score": best_score[0] if best_score[0] > -np.inf else float("nan")}
    return logger.finish(metrics, [{"sample": s, "score": v} for s, v in top], provenance, {"unit": "env_steps", "value": cli.budget})
