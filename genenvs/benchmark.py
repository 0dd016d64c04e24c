"""Throughput measurements that compare alternatives in the same run.

For one environment ID, :func:`bench_env` measures environment steps per second of

* the single environment (``gym.make``),
* the native vector environment (``gym.make_vec``, vector entry point),
* ``gymnasium.vector.SyncVectorEnv`` and ``AsyncVectorEnv`` over the single environment,

at the same sizes, with uniformly random *legal* actions (from the action mask) and
scoring included; medians over repeats and native/sync ratios. :func:`bench_env_logic`
measures the token engine alone (a zero-cost scorer), :func:`bench_molecule_scoring`
compares scoring through the env with bare RDKit, and :func:`memory_growth` runs many
episodes through a vector env and reports the growth of resident memory.
Numbers are comparable only within one run; every result records the machine.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np


def _legal_actions(rng: np.random.Generator, masks: np.ndarray) -> np.ndarray:
    """One uniformly random legal action per row of a ``(n, V)`` mask.

    Rejection sampling: draw from all V, redraw the rows that hit a masked token. With
    large vocabularies this costs microseconds, where drawing V noise values per row would
    cost more than the env step being measured.
    """
    n, V = masks.shape
    rows = np.arange(n)
    actions = rng.integers(V, size=n)
    for _ in range(32):
        bad = ~masks[rows, actions]
        if not bad.any():
            return actions
        actions[bad] = rng.integers(V, size=int(bad.sum()))
    bad = ~masks[rows, actions]
    actions[bad] = (rng.random((int(bad.sum()), V)) * masks[bad]).argmax(axis=1)
    return actions


def _vector_steps_per_second(env: gym.vector.VectorEnv, steps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    _, info = env.reset(seed=seed)
    masks = info.get("action_mask")
    env.action_space.seed(seed)
    start = time.perf_counter()
    for _ in range(steps):
        if masks is not None and isinstance(env.single_action_space, gym.spaces.Discrete):
            actions = _legal_actions(rng, np.asarray(masks, dtype=bool))
        else:
            actions = env.action_space.sample()
        _, _, _, _, info = env.step(actions)
        masks = info.get("action_mask")
    return steps * env.num_envs / (time.perf_counter() - start)


def _single_steps_per_second(env: gym.Env, steps: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    env.action_space.seed(seed)
    _, info = env.reset(seed=seed)
    start = time.perf_counter()
    for _ in range(steps):
        mask = info.get("action_mask")
        action = _legal_actions(rng, np.asarray(mask, dtype=bool)[None])[0] if mask is not None and isinstance(env.action_space, gym.spaces.Discrete) else env.action_space.sample()
        _, _, term, trunc, info = env.step(action)
        if term or trunc:
            _, info = env.reset()
    return steps / (time.perf_counter() - start)


def write_results(path: str | os.PathLike, results: Any, indent: int = 2) -> None:
    """Write a benchmark's results as JSON (creating the folder) and say where."""
    import json
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=indent) + "\n")
    print(f"wrote {path}")


def machine() -> dict[str, Any]:
    return {"platform": platform.platform(), "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version()}


def _median(fn, repeats: int, seed: int) -> float:
    return statistics.median(fn(seed + r) for r in range(repeats))


def bench_env(env_id: str, sizes: Sequence[int] = (64, 256), steps: int = 100, repeats: int = 3, seed: int = 0, include_async: bool = True, **kwargs: Any) -> dict[str, Any]:
    """Median steps/s of single, native vector, SyncVectorEnv and AsyncVectorEnv for ``env_id``."""
    if isinstance(sizes, int):
        sizes = (sizes,)
    result: dict[str, Any] = {"env_id": env_id, "steps": steps, "repeats": repeats, "by_size": {}}
    single = gym.make(env_id, disable_env_checker=True, **kwargs)
    result["single_steps_per_s"] = _median(lambda s: _single_steps_per_second(single, steps * 4, s), repeats, seed)
    single.close()
    has_native = gym.spec(env_id).vector_entry_point is not None
    for n in sizes:
        row: dict[str, float] = {}
        if has_native:
            native = gym.make_vec(env_id, n, vectorization_mode="vector_entry_point", **kwargs)
            row["native"] = _median(lambda s: _vector_steps_per_second(native, steps, s), repeats, seed)
            native.close()
        sync = gym.make_vec(env_id, n, vectorization_mode="sync", vector_kwargs={}, **kwargs)
        row["sync"] = _median(lambda s: _vector_steps_per_second(sync, steps, s), repeats, seed)
        sync.close()
        if include_async:
            asyn = gym.make_vec(env_id, n, vectorization_mode="async", vector_kwargs={"context": "spawn"}, **kwargs)
            row["async"] = _median(lambda s: _vector_steps_per_second(asyn, max(steps // 4, 5), s), repeats, seed)
            asyn.close()
        if "native" in row:
            row["native_over_sync"] = row["native"] / row["sync"]
            if "async" in row:
                row["native_over_async"] = row["native"] / row["async"]
        result["by_size"][str(n)] = row
    result["machine"] = machine()
    return result


class _ZeroScorer:
    """Stands in for a task's scorer to time the engine alone."""

    name, version, invalid_score = "zero", "1", 0.0

    def __call__(self, batch):
        from genenvs.rewards.base import ScoreResult

        return ScoreResult.single("zero", np.zeros(len(batch)), batch.valid)

    def identity(self):
        return {"name": "zero"}


def bench_env_logic(env_id: str, num_envs: int = 256, steps: int = 200, repeats: int = 3, seed: int = 0, **kwargs: Any) -> dict[str, Any]:
    """Token-steps/s of the native vector env with scoring replaced by a zero-cost scorer.

    Reported twice: with the domain's decoding of finished episodes (SELFIES -> canonical
    SMILES, detokenisation...) and with decoding stubbed out too, i.e. the engine alone.
    """
    env = gym.make_vec(env_id, num_envs, vectorization_mode="vector_entry_point", **kwargs)
    task = env.unwrapped.task
    task.score = _ZeroScorer()
    with_decode = _median(lambda s: _vector_steps_per_second(env, steps, s), repeats, seed)
    task.decode = lambda ids, context: (None, True)
    task.episode_info = lambda sample, context: {}
    engine = _median(lambda s: _vector_steps_per_second(env, steps, s), repeats, seed)
    env.close()
    return {"env_id": env_id, "num_envs": num_envs, "token_steps_per_s": engine, "token_steps_per_s_with_decode": with_decode}


def bench_molecule_scoring(n: int = 2000, objective: str = "qed", seed: int = 0) -> dict[str, Any]:
    """Molecules/s: bare RDKit vs the env's scorer on unique molecules, and on repeats (cache)."""
    from genenvs.molecule.data.build_vocab import load_smiles
    from genenvs.molecule.objectives import get_objective
    from genenvs.molecule.properties import canonical_smiles, mol_from_smiles
    from genenvs.molecule.tasks import MoleculeTask
    from genenvs.rewards.base import SampleBatch

    rng = np.random.default_rng(seed)
    pool = load_smiles("test")
    smiles = [canonical_smiles(pool[i]) for i in rng.choice(len(pool), size=min(n, len(pool)), replace=False)]
    fn = get_objective(objective).fn
    start = time.perf_counter()
    bare = [fn(mol_from_smiles(s)) for s in smiles]
    bare_rate = len(smiles) / (time.perf_counter() - start)
    task = MoleculeTask("selfies", objective)
    batch = SampleBatch(samples=list(smiles))
    start = time.perf_counter()
    through_env = task.score(batch).scores
    env_rate = len(smiles) / (time.perf_counter() - start)
    start = time.perf_counter()
    task.score(batch)
    cached_rate = len(smiles) / (time.perf_counter() - start)
    assert np.allclose(bare, through_env)
    return {"objective": objective, "molecules": len(smiles), "bare_rdkit_per_s": bare_rate, "env_scorer_per_s": env_rate, "env_over_bare": env_rate / bare_rate, "cached_per_s": cached_rate}


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory_growth(env_id: str, episodes: int = 100_000, num_envs: int = 256, seed: int = 0, **kwargs: Any) -> dict[str, Any]:
    """Resident-memory growth while ``episodes`` episodes run through the native vector env.

    The first 10% of episodes warm up caches and allocators; growth is measured after.
    """
    env = gym.make_vec(env_id, num_envs, vectorization_mode="vector_entry_point", **kwargs)
    rng = np.random.default_rng(seed)
    _, info = env.reset(seed=seed)
    done, baseline = 0, None
    while done < episodes:
        _, _, term, trunc, info = env.step(_legal_actions(rng, np.asarray(info["action_mask"], dtype=bool)))
        done += int(np.sum(term | trunc))
        if baseline is None and done >= episodes // 10:
            baseline = _rss_mb()
    growth = _rss_mb() - baseline
    env.close()
    return {"env_id": env_id, "episodes": done, "num_envs": num_envs, "rss_growth_mb": growth}
