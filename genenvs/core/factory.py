"""Entry points that build the generic environments from a task.

A domain registers one task builder; :func:`entry_points` turns it into the two callables
Gymnasium's registry wants (``entry_point`` and ``vector_entry_point``). The
``granularity`` keyword picks the token-level MDP (default) or the sample-level view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym

from genenvs.core.sample_env import SampleEnv
from genenvs.core.task import TokenTask
from genenvs.core.token_env import TokenEnv
from genenvs.core.vector_env import SampleVectorEnv, TokenVectorEnv
from genenvs.rewards.step import StepScorer

GRANULARITIES = ("token", "sample")

#: A task builder returns the task and the per-step reward terms for one env instance.
TaskBuilder = Callable[..., tuple[TokenTask, Sequence[StepScorer]]]


def _check_granularity(granularity: str) -> None:
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {GRANULARITIES}, got {granularity!r}")


def entry_points(build: TaskBuilder) -> tuple[Callable[..., gym.Env], Callable[..., gym.vector.VectorEnv]]:
    """``(make_env, make_vector_env)`` for a task builder ``build(**task_kwargs)``."""

    def make_env(
        granularity: str = "token",
        render_mode: str | None = None,
        action_type: str = "tokens",
        on_invalid_action: str = "terminate",
        **task_kwargs: Any,
    ) -> gym.Env:
        _check_granularity(granularity)
        task, step_scorers = build(**task_kwargs)
        kwargs = dict(task_kwargs, granularity=granularity)
        if granularity == "token":
            return TokenEnv(task, render_mode, step_scorers, on_invalid_action, env_kwargs=kwargs)
        return SampleEnv(task, render_mode, step_scorers, action_type, env_kwargs=dict(kwargs, action_type=action_type))

    def make_vector_env(
        num_envs: int,
        granularity: str = "token",
        render_mode: str | None = None,
        action_type: str = "tokens",
        autoreset_mode: Any = gym.vector.AutoresetMode.NEXT_STEP,
        on_invalid_action: str = "terminate",
        **task_kwargs: Any,
    ) -> gym.vector.VectorEnv:
        _check_granularity(granularity)
        task, step_scorers = build(**task_kwargs)
        kwargs = dict(task_kwargs, granularity=granularity)
        if granularity == "token":
            return TokenVectorEnv(task, num_envs, render_mode, step_scorers, autoreset_mode, on_invalid_action, env_kwargs=kwargs)
        return SampleVectorEnv(task, num_envs, step_scorers, action_type, autoreset_mode, dict(kwargs, action_type=action_type), render_mode)

    make_env.__doc__ = build.__doc__
    make_vector_env.__doc__ = build.__doc__
    return make_env, make_vector_env
