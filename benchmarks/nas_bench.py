"""Throughput of NASGen-v0, compared with references in the same run.

* environment steps/s of the native vector env against ``gymnasium.vector.SyncVectorEnv``
  (and the single env) at 64 and 256 envs, uniformly random legal actions from the
  grammar mask, table scoring included (``genenvs.benchmark.bench_env``);
* the grammar alone: action masks per second for a batch of 256 prefixes;
* the cost of a reward: a table lookup against live CPU training of the same
  architectures (``live=True``), the gap the tabular default exists for.

The machine and its load average are recorded: on a shared machine, compare numbers only
within one run. Writes ``benchmarks/results/nas.json``.

    OMP_NUM_THREADS=1 python benchmarks/nas_bench.py [--steps 100] [--repeats 3] [--live 12]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

import genenvs  # noqa: F401  (registers the environments)
from genenvs.benchmark import bench_env, machine, write_results
from genenvs.nas.grammar import ArchitectureGrammar
from genenvs.nas.space import SearchSpace
from genenvs.nas.table import default_table
from genenvs.nas.training import train_architecture

RESULTS = Path(__file__).resolve().parent / "results" / "nas.json"


def mask_throughput(batch: int = 256, repeats: int = 200, seed: int = 0) -> dict[str, Any]:
    """Masks/s of the compiled automaton on random legal prefixes of every length."""
    space = SearchSpace()
    grammar = ArchitectureGrammar(space)
    rng = np.random.default_rng(seed)
    archs = list(space.architectures())
    L, V = space.max_tokens + 1, len(space.vocab)
    tokens = np.full((batch, L), V)
    lengths = np.zeros(batch, dtype=np.int64)
    for i in range(batch):
        ids = space.vocab.ids(archs[rng.integers(len(archs))].tokens())
        lengths[i] = rng.integers(len(ids) + 1)
        tokens[i, : lengths[i]] = ids[: lengths[i]]
    start = time.perf_counter()
    for _ in range(repeats):
        grammar.masks(tokens, lengths)
    return {"batch": batch, "masks_per_s": batch * repeats / (time.perf_counter() - start)}


def reward_cost(n_live: int, seed: int = 0) -> dict[str, Any]:
    """Seconds per reward: table lookup vs live CPU training of a random sample."""
    space, table = SearchSpace(), default_table()
    archs = [str(a) for a in space.architectures()]
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for text in archs:
        table[text].valid_accuracy
    lookup = (time.perf_counter() - start) / len(archs)
    sample = [archs[i] for i in rng.choice(len(archs), n_live, replace=False)]
    train_architecture(space.parse(sample[0]))  # warm-up (first call loads the data, initialises kernels)
    seconds, agree = [], 0
    for text in sample:
        result = train_architecture(space.parse(text))
        seconds.append(result.seconds)
        agree += result.valid_curve == table[text].valid_curve
    return {
        "table_lookup_s": lookup,
        "live_cpu_train_s_median": statistics.median(seconds),
        "live_cpu_train_s_max": max(seconds),
        "live_sample": n_live,
        "live_equal_to_table": f"{agree}/{n_live}",
        "table_total_train_s": table.header["total_train_seconds"],
        "live_over_lookup": statistics.median(seconds) / lookup,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100, help="vector steps per measurement")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--live", type=int, default=12, help="architectures trained live for the cost comparison")
    args = parser.parse_args()

    result: dict[str, Any] = {"machine": machine(), "load_average_at_start": os.getloadavg()}
    env = bench_env("NASGen-v0", sizes=(64, 256), steps=args.steps, repeats=args.repeats, include_async=False)
    env.pop("machine", None)
    result["env"] = env
    for n, row in env["by_size"].items():
        print(f"NASGen-v0 x{n}: native {row['native']:.0f} steps/s, sync {row['sync']:.0f} steps/s ({row['native_over_sync']:.1f}x); single {env['single_steps_per_s']:.0f}")
    result["grammar"] = mask_throughput()
    print(f"grammar masks: {result['grammar']['masks_per_s']:.0f}/s")
    result["reward_cost"] = reward_cost(args.live)
    print(f"reward: {result['reward_cost']}")
    result["load_average_at_end"] = os.getloadavg()
    write_results(RESULTS, result, indent=2)


if __name__ == "__main__":
    main()
