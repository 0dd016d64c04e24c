"""Throughput measurements that compare alternatives in the same run.

For one environment ID this measures environment steps per second of

* the single environment (``gym.make``),
* the native vector environment (``gym.make_vec``, vector entry point),
* ``gymnasium.vector.SyncVectorEnv`` over the single environment,

with uniformly random *legal* actions (from the action mask), scoring included, and
reports medians over repeats and the native/sync ratio. Numbers from one machine are only
comparable with numbers from the same run; the result records the machine.
"""

from __future__ import annotations

import platform
import statistics
import time
from typing import Any

import gymnasium as gym
import numpy as np


def _legal_actions(rng: np.random.Generator, masks: np.ndarray) -> np.ndarray:
    """One random legal action per row of a ``(n, V)`` mask."""
    noise = rng.random(masks.shape) * masks
    return noise.argmax(axis=1)


def _vector_steps_per_second(env: gym.vector.VectorEnv, steps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    _, info = env.reset(seed=seed)
    masks = info.get("action_mask")
    start = time.perf_counter()
    for _ in range(steps):
        if masks is not None and isinstance(env.single_action_space, gym.spaces.Discrete):
            actions = _legal_actions(rng, np.asarray(masks, dtype=bool))
        else:
            actions = env.action_space.sample()
        _, _, _, _, info = env.step(actions)
        masks = info.get("action_mask")
    elapsed = time.perf_counter() - start
    return steps * env.num_envs / elapsed


def _single_steps_per_second(env: gym.Env, steps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    _, info = env.reset(seed=seed)
    start = time.perf_counter()
    for _ in range(steps):
        mask = info.get("action_mask")
        action = _legal_actions(rng, mask[None])[0] if mask is not None else env.action_space.sample()
        _, _, term, trunc, info = env.step(action)
        if term or trunc:
            _, info = env.reset()
    return steps / (time.perf_counter() - start)


def machine() -> dict[str, Any]:
    import os

    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version()}


def bench_env(env_id: str, num_envs: int = 64, steps: int = 200, repeats: int = 3, seed: int = 0, **kwargs: Any) -> dict[str, Any]:
    """Median steps/s of single, native vector and SyncVectorEnv for ``env_id``."""
    single = gym.make(env_id, disable_env_checker=True, **kwargs)
    single_sps = statistics.median(_single_steps_per_second(single, steps, seed + r) for r in range(repeats))
    single.close()
    result: dict[str, Any] = {"env_id": env_id, "num_envs": num_envs, "steps": steps, "repeats": repeats, "single_steps_per_s": single_sps}
    spec = gym.spec(env_id)
    if spec.vector_entry_point is not None:
        native = gym.make_vec(env_id, num_envs, vectorization_mode="vector_entry_point", **kwargs)
        result["native_vector_steps_per_s"] = statistics.median(_vector_steps_per_second(native, steps, seed + r) for r in range(repeats))
        native.close()
    sync = gym.make_vec(env_id, num_envs, vectorization_mode="sync", vector_kwargs={}, **kwargs)
    result["sync_vector_steps_per_s"] = statistics.median(_vector_steps_per_second(sync, steps, seed + r) for r in range(repeats))
    sync.close()
    if "native_vector_steps_per_s" in result:
        result["native_over_sync"] = result["native_vector_steps_per_s"] / result["sync_vector_steps_per_s"]
    result["machine"] = machine()
    return result
