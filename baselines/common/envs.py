"""Making the environments a baseline trains on, and what its budget counts."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

import genenvs  # noqa: F401  registers the environments
from genenvs.core.registration import describe
from genenvs.wrappers import OracleBudgetVector

#: Domains whose budget counts unique oracle calls (PMO's protocol) rather than samples.
ORACLE_DOMAINS = ("molecule",)


def budget_unit(env_id: str) -> str:
    try:
        domain, _ = describe(env_id)
    except ValueError:  # an environment registered outside genenvs
        return "samples"
    return "oracle_calls" if domain in ORACLE_DOMAINS else "samples"


def make_sample_env(env_id: str, num_envs: int, budget: int, env_kwargs: dict[str, Any] | None = None):
    """Native sample-level vector env; wrapped in an oracle budget for molecule tasks."""
    env = gym.make_vec(env_id, num_envs, granularity="sample", autoreset_mode=gym.vector.AutoresetMode.SAME_STEP, **(env_kwargs or {}))
    if budget_unit(env_id) == "oracle_calls":
        env = OracleBudgetVector(env, budget)
    return env


def make_token_env(env_id: str, num_envs: int, env_kwargs: dict[str, Any] | None = None):
    return gym.make_vec(env_id, num_envs, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP, **(env_kwargs or {}))


def task_of(env) -> Any:
    return env.unwrapped.task


def final_infos(infos: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-episode final infos of a SAME_STEP vector step."""
    if "final_info" not in infos:
        return []
    src, mask = infos["final_info"], infos["_final_info"]
    rows = []
    for i in range(len(mask)):
        if mask[i]:
            rows.append({k: (v[i] if hasattr(v, "__len__") and not isinstance(v, (str, dict)) else v) for k, v in src.items() if not k.startswith("_")})
    return rows
