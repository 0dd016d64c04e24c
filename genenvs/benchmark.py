"""Throughput measurements that compare alternatives in the same run.

For one environment ID, :func:`bench_env` measures environment steps per second of

* the single environment (``gym.make``),
* the native vector environment (``gym.make_vec``, vector entry point),
* ``gymnasium.vector.SyncVectorEnv`` and ``AsyncVectorEnv`` over the single environment,

at the same sizes, with uniformly random *legal* actions (from the action mask) and
scoring included; only ``step`` (and the single env's resets) is timed, not drawing the
actions; medians over repeats and native/sync ratios. :func:`bench_env_logic`
takes a native vector env apart (engine alone, then decoding, problem instances and
per-step reward models put back one at a time), :func:`bench_molecule_scoring` compares
scoring through the env with bare RDKit, and :func:`memory_growth` runs many episodes
through a vector env and reports the growth of resident memory.
Numbers are comparable only within one run; every result records the machine.
"""

from __future__ import annotations

import itertools
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import gymnasium as gym
import numpy as np

#: Largest memory the AsyncVectorEnv workers of one measurement may take, in MiB.
ASYNC_MEMORY_BUDGET_MB = 12 * 1024
#: Room for a worker to grow past what the short probe measured (caches fill as it runs).
ASYNC_MEMORY_HEADROOM = 1.25


def _legal_actions(rng: np.random.Generator, masks: np.ndarray) -> np.ndarray:
    """One uniformly random legal action per row of a ``(n, V)`` mask.

    A few rounds of rejection sampling (draw from all V, redraw the rows that hit a masked
    token) settle most rows in microseconds even with large vocabularies; the rows still
    left, where the grammar allows few tokens, take the k-th legal token for a uniform k.
    The agent's cost stays small next to the env step being measured.
    """
    n, V = masks.shape
    rows = np.arange(n)
    actions = rng.integers(V, size=n)
    for _ in range(4):
        bad = ~masks[rows, actions]
        if not bad.any():
            return actions
        actions[bad] = rng.integers(V, size=int(bad.sum()))
    bad = np.flatnonzero(~masks[rows, actions])
    if bad.size:
        legal = np.cumsum(masks[bad], axis=1)
        k = (rng.random(bad.size) * legal[:, -1]).astype(np.int64)  # uniform in 0 .. count - 1
        actions[bad] = (legal > k[:, None]).argmax(axis=1)
    return actions


#: A measurement stops after this many seconds even if its steps are not done (slow envs
#: such as MolGraph's SyncVectorEnv at 256 would otherwise take minutes per repeat); the
#: rate is taken over the steps that ran, at least :data:`MIN_STEPS` of them.
MAX_SECONDS = 5.0
MIN_STEPS = 5


def _vector_steps_per_second(env: gym.vector.VectorEnv, steps: int, seed: int, clock: Callable[[], float] = time.perf_counter, max_seconds: float = MAX_SECONDS) -> float:
    """Env steps per second of ``env.step`` alone: drawing the random legal actions is not timed."""
    rng = np.random.default_rng(seed)
    _, info = env.reset(seed=seed)
    masks = info.get("action_mask")
    env.action_space.seed(seed)
    elapsed = 0.0
    done = 0
    while done < steps and (done < MIN_STEPS or elapsed < max_seconds):
        if masks is not None and isinstance(env.single_action_space, gym.spaces.Discrete):
            actions = _legal_actions(rng, np.asarray(masks, dtype=bool))
        else:
            actions = env.action_space.sample()
        start = clock()
        _, _, _, _, info = env.step(actions)
        elapsed += clock() - start
        masks = info.get("action_mask")
        done += 1
    return done * env.num_envs / elapsed


def _single_steps_per_second(env: gym.Env, steps: int, seed: int, max_seconds: float = MAX_SECONDS) -> float:
    """Steps per second of ``env.step`` and the resets it needs, actions drawn untimed."""
    rng = np.random.default_rng(seed)
    env.action_space.seed(seed)
    _, info = env.reset(seed=seed)
    elapsed = 0.0
    done = 0
    while done < steps and (done < MIN_STEPS or elapsed < max_seconds):
        mask = info.get("action_mask")
        action = _legal_actions(rng, np.asarray(mask, dtype=bool)[None])[0] if mask is not None and isinstance(env.action_space, gym.spaces.Discrete) else env.action_space.sample()
        start = time.perf_counter()
        _, _, term, trunc, info = env.step(action)
        if term or trunc:
            _, info = env.reset()
        elapsed += time.perf_counter() - start
        done += 1
    return done / elapsed


def write_results(path: str | os.PathLike, results: Any, indent: int = 2) -> None:
    """Write a benchmark's results as JSON (creating the folder) and say where."""
    import json
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=indent) + "\n")
    print(f"wrote {path}")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """What the numbers were measured on: CPU, threads, load, and the versions that matter."""
    import importlib.metadata as md

    versions = {}
    for package in ("numpy", "gymnasium", "torch", "rdkit"):
        try:
            versions[package] = md.version(package)
        except md.PackageNotFoundError:
            continue
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "versions": versions,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
    }
    if "torch" in sys.modules:
        info["torch_threads"] = sys.modules["torch"].get_num_threads()
    if hasattr(os, "getloadavg"):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return info


def _median(fn: Callable[[int], float], repeats: int, seed: int) -> float:
    return statistics.median(fn(seed + r) for r in range(repeats))


def _private_mb(pid: int) -> float:
    """Memory a process does not share with others (USS, MiB): what one more worker costs."""
    with open(f"/proc/{pid}/smaps_rollup") as fh:
        text = fh.read()
    return sum(int(m) for m in re.findall(r"^Private_(?:Clean|Dirty):\s+(\d+) kB", text, re.M)) / 1024


def _async_env(env_id: str, n: int, context: str, kwargs: dict[str, Any]) -> gym.vector.AsyncVectorEnv:
    return gym.make_vec(env_id, n, vectorization_mode="async", vector_kwargs={"context": context}, **kwargs)


def async_worker_memory(env_id: str, context: str = "fork", workers: int = 2, steps: int = 20, **kwargs: Any) -> float:
    """Largest private memory (MiB) of an AsyncVectorEnv worker after ``steps`` random steps."""
    env = _async_env(env_id, workers, context, kwargs)
    try:
        _vector_steps_per_second(env, steps, 0)
        return max(_private_mb(p.pid) for p in env.processes)
    finally:
        env.close()


def bench_env(
    env_id: str,
    sizes: Sequence[int] = (64, 256),
    steps: int = 100,
    repeats: int = 3,
    seed: int = 0,
    include_async: bool = True,
    async_context: str = "fork",
    async_memory_budget_mb: float = ASYNC_MEMORY_BUDGET_MB,
    **kwargs: Any,
) -> dict[str, Any]:
    """Median steps/s of single, native vector, SyncVectorEnv and AsyncVectorEnv for ``env_id``.

    AsyncVectorEnv runs at every size whose workers fit ``async_memory_budget_mb``: the
    private memory of one worker is measured first (a 2-worker probe) and a size that
    would exceed the budget (with :data:`ASYNC_MEMORY_HEADROOM`) is skipped, with the
    reason and that measurement recorded.
    Workers start with ``async_context`` (``"fork"``, Linux's default, shares the parent's
    imported modules; ``"spawn"`` re-imports them in every worker).
    """
    if isinstance(sizes, int):
        sizes = (sizes,)
    result: dict[str, Any] = {"env_id": env_id, "steps": steps, "repeats": repeats, "by_size": {}}
    single = gym.make(env_id, disable_env_checker=True, **kwargs)
    result["single_steps_per_s"] = _median(lambda s: _single_steps_per_second(single, steps * 4, s), repeats, seed)
    single.close()
    if include_async:
        worker_mb = async_worker_memory(env_id, async_context, **kwargs)
        result["async_context"] = async_context
        result["async_worker_private_mb"] = worker_mb
    has_native = gym.spec(env_id).vector_entry_point is not None
    for n in sizes:
        row: dict[str, Any] = {}
        if has_native:
            native = gym.make_vec(env_id, n, vectorization_mode="vector_entry_point", **kwargs)
            row["native"] = _median(lambda s: _vector_steps_per_second(native, steps, s), repeats, seed)
            native.close()
        sync = gym.make_vec(env_id, n, vectorization_mode="sync", vector_kwargs={}, **kwargs)
        row["sync"] = _median(lambda s: _vector_steps_per_second(sync, steps, s), repeats, seed)
        sync.close()
        if include_async:
            if n * worker_mb * ASYNC_MEMORY_HEADROOM > async_memory_budget_mb:
                row["async_skipped"] = (
                    f"{n} workers x {worker_mb:.0f} MiB private memory each (x{ASYNC_MEMORY_HEADROOM} headroom) > budget {async_memory_budget_mb:.0f} MiB"
                )
            else:
                asyn = _async_env(env_id, n, async_context, kwargs)
                row["async"] = _median(lambda s: _vector_steps_per_second(asyn, max(steps // 4, 5), s), repeats, seed)
                row["async_workers_private_mb"] = sum(_private_mb(p.pid) for p in asyn.processes)
                asyn.close()
        if "native" in row:
            row["native_over_sync"] = row["native"] / row["sync"]
            if "async" in row:
                row["native_over_async"] = row["native"] / row["async"]
        result["by_size"][str(n)] = row
    result["machine"] = machine()
    return result


class _ZeroScorer:
    """Stands in for a task's scorer to time everything but scoring."""

    name, version, invalid_score = "zero", "1", 0.0

    def __call__(self, batch):
        from genenvs.rewards.base import ScoreResult

        return ScoreResult.single("zero", np.zeros(len(batch)), batch.valid)

    def identity(self):
        return {"name": "zero"}


#: The parts of a token-level env that :func:`bench_env_logic` puts back one at a time.
LOGIC_PARTS = ("engine", "decode", "contexts", "step_scorers")


def bench_env_logic(env_id: str, num_envs: int = 256, steps: int = 200, repeats: int = 3, seed: int = 0, **kwargs: Any) -> dict[str, Any]:
    """Token-steps per second of CPU time of a native vector env's own logic, then with each
    domain part put back.

    CPU time of this process, not wall-clock time: the logic is single-threaded, so this
    is throughput per core, and a machine loaded by other work distorts it much less.
    The final scorer is always replaced by a zero-cost one (:func:`bench_env` times it).
    ``token_steps_per_s["engine"]`` also stands in for the domain's hooks: no decoding or
    episode info, problem instances recycled from a pool drawn beforehand, no per-step
    reward terms (they are reward models, e.g. KL-control's GRU). The next entries put
    back, cumulatively, ``decode`` (decoding finished samples, episode info),
    ``contexts`` (drawing a fresh problem instance per episode) and ``step_scorers``;
    so the last one is the env without its final scorer and nothing is left out.
    """
    from genenvs.core.vector_env import TokenVectorEnv

    rates: dict[str, float] = {}
    for k, part in enumerate(LOGIC_PARTS):
        full = gym.make_vec(env_id, num_envs, vectorization_mode="vector_entry_point", **kwargs).unwrapped
        task = full.task  # a fresh one per part, so no part inherits another's warm caches
        task.score = _ZeroScorer()
        if k < LOGIC_PARTS.index("decode"):
            task.decode = lambda ids, context: (None, True)
            task.episode_info = lambda sample, context: {}
        if k < LOGIC_PARTS.index("contexts"):
            pool = itertools.cycle([task.sample_context(np.random.default_rng(seed + i)) for i in range(64)])
            task.sample_context = lambda rng, pool=pool: next(pool)
        step_scorers = full.step_scorers if part == "step_scorers" else ()
        env = TokenVectorEnv(task, num_envs, step_scorers=step_scorers)
        rates[part] = _median(lambda s: _vector_steps_per_second(env, steps, s, clock=time.process_time), repeats, seed)
        env.close()
        full.close()
    return {"env_id": env_id, "num_envs": num_envs, "token_steps_per_s": rates, "machine": machine()}


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
