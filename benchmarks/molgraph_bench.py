"""Throughput of MolGraph-v0 (MolDQN's graph-edit MDP) on one CPU core.

MolGraph-v0 is not token-level, so there is no native vector env; this compares, in the
same run and with uniformly random valid actions (scoring included):

* the single env with its candidate cache (the default) and without it (``cache_size=1``),
* the single env from a drug-sized start molecule (the constrained-optimisation setting),
* ``gymnasium.vector.SyncVectorEnv`` over the single env (via ``genenvs.benchmark``),

and records the candidate-set sizes seen. Steps per CPU-second (``time.process_time``) are
recorded beside wall-clock steps/s: on a shared machine they are the per-core figure. Writes ``benchmarks/results/molgraph.json``.

    python benchmarks/molgraph_bench.py [--steps 600] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import genenvs  # noqa: F401  (registers the environments)
from genenvs.benchmark import bench_env, machine, write_results

ENV_ID = "MolGraph-v0"
RESULTS = Path(__file__).resolve().parent / "results" / "molgraph.json"
START = "CC(=O)Nc1ccc(O)cc1"  # paracetamol


def random_valid_steps(steps: int, seed: int, **kwargs: Any) -> dict[str, float]:
    """Steps/s of one env under a random valid policy, and the candidate counts it saw."""
    env = gym.make(ENV_ID, disable_env_checker=True, **kwargs).unwrapped
    rng = np.random.default_rng(seed)
    _, info = env.reset(seed=seed)
    counts, truncated = [], 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(steps):
        action = int(rng.choice(np.flatnonzero(info["action_mask"])))
        _, _, terminated, truncated_ep, info = env.step(action)
        counts.append(info["num_valid_actions"])
        truncated += info["truncated_actions"] > 0
        if terminated or truncated_ep:
            _, info = env.reset()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "steps_per_s": steps / elapsed,
        "steps_per_cpu_s": steps / cpu,
        "mean_valid_actions": float(np.mean(counts)),
        "max_valid_actions": int(np.max(counts)),
        "steps_with_truncated_actions": int(truncated),
        "cache_hit_rate": env.cache_hits / max(1, env.cache_hits + env.cache_misses),
    }


def median_run(repeats: int, steps: int, **kwargs: Any) -> dict[str, float]:
    runs = [random_valid_steps(steps, seed, **kwargs) for seed in range(repeats)]
    out = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out["max_valid_actions"] = max(r["max_valid_actions"] for r in runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600, help="env steps per measurement (15 episodes of 40)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--num-envs", type=int, default=4, help="sub-envs of the SyncVectorEnv comparison")
    args = parser.parse_args()

    if ENV_ID not in gym.registry:  # until the lead adds the EnvEntry to genenvs/molecule/registry.py
        gym.register(id=ENV_ID, entry_point="genenvs.molecule.graph_env:MolGraphEnv")

    result: dict[str, Any] = {"env_id": ENV_ID, "steps": args.steps, "repeats": args.repeats}
    result["from_empty_cached"] = median_run(args.repeats, args.steps)
    result["from_empty_uncached"] = median_run(args.repeats, args.steps, cache_size=1)
    result["from_start_molecule"] = median_run(args.repeats, args.steps, start_smiles=START, max_steps=20)
    result["single_vs_sync"] = bench_env(ENV_ID, sizes=(args.num_envs,), steps=max(1, args.steps // args.num_envs), repeats=args.repeats, include_async=False)
    result["machine"] = {**machine(), "load_average_1min": os.getloadavg()[0]}

    write_results(RESULTS, result, indent=2)
    for name in ("from_empty_cached", "from_empty_uncached", "from_start_molecule"):
        r = result[name]
        print(f"{name:22s} {r['steps_per_s']:7.1f} steps/s ({r['steps_per_cpu_s']:.1f} per CPU-second)  valid actions mean {r['mean_valid_actions']:.0f} max {r['max_valid_actions']}  cache hits {r['cache_hit_rate']:.0%}")
    sync = result["single_vs_sync"]
    print(f"bench_env: single {sync['single_steps_per_s']:.1f} steps/s, SyncVectorEnv x{args.num_envs} {sync['by_size'][str(args.num_envs)]['sync']:.1f} steps/s")


if __name__ == "__main__":
    main()
