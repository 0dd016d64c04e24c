"""Throughput of the code environments, compared with references in the same run.

* **CodeDSL-v0**: environment steps/s of the native vector env against
  ``gymnasium.vector.SyncVectorEnv`` (and the single env) at 64 and 256 envs, with
  uniformly random legal actions from the grammar mask, scoring and procedural task
  generation included (``genenvs.benchmark.bench_env``; AsyncVectorEnv is left out:
  hundreds of spawned workers on a 2-core machine measure the machine, not the env), and
  the native env with scoring stubbed out (``bench_env_logic``), which shows how much of
  a step is the per-episode work (drawing a task, running the program).
* **CodeGen-v0**: the sandbox is the cost, so this measures *sandboxed executions per
  second*: the 127 bundled reference bodies scored through the environment's scorer, one
  process each, sequentially (``max_workers=1``) and with the default parallel
  ``run_batch`` (one worker per CPU); and how many syntax-error samples per second the
  parser shortcut scores without launching anything. It also runs ``bench_env`` on
  CodeGen-v0 with random tokens and ``max_length=32`` (nearly every sample is a syntax
  error: this is the token-level overhead plus parsing).

The machine and its load average are recorded: on a shared machine, compare numbers only
within one run. Writes ``benchmarks/results/code.json``.

    python benchmarks/code_bench.py [--steps 300] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

import genenvs  # noqa: F401  (registers the environments)
from genenvs.benchmark import bench_env, bench_env_logic, machine, write_results
from genenvs.code.problems import load_problems
from genenvs.code.rewards import SandboxReward
from genenvs.rewards.base import SampleBatch

RESULTS = Path(__file__).resolve().parent / "results" / "code.json"
#: Random-token CodeGen episodes are cut at this length so that they finish and get scored.
CODEGEN_BENCH_LENGTH = 32


def sandbox_throughput(max_workers: int | None, repeats: int) -> dict[str, Any]:
    """Reference bodies of all bundled problems scored in one batch (no memo between repeats)."""
    problems = load_problems("bundled")
    batch = SampleBatch(samples=[p.reference_solution for p in problems], contexts=problems)
    rates, passed = [], None
    for _ in range(repeats):
        scorer = SandboxReward("coderl", max_workers=max_workers, cache_size=0)
        start = time.perf_counter()
        result = scorer(batch)
        rates.append(scorer.executions / (time.perf_counter() - start))
        passed = float(np.mean(result.scores == 1.0))
    return {
        "programs": len(problems),
        "max_workers": max_workers or len(os.sched_getaffinity(0)),
        "executions_per_s": float(np.median(rates)),
        "ms_per_execution": 1000.0 / float(np.median(rates)),
        "fraction_passed": passed,
    }


def parser_shortcut_throughput(n: int = 2000) -> dict[str, Any]:
    """Syntax-error samples scored per second (rejected by ``ast.parse``, no process launched)."""
    problem = load_problems("bundled")[0]
    scorer = SandboxReward("coderl", cache_size=0)
    batch = SampleBatch(samples=[f"    return xs +{i}+\n" for i in range(n)], contexts=[problem] * n)
    start = time.perf_counter()
    result = scorer(batch)
    elapsed = time.perf_counter() - start
    assert scorer.executions == 0 and np.all(result.scores == -1.0)
    return {"samples": n, "samples_per_s": n / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="vector steps per CodeDSL measurement")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    result: dict[str, Any] = {"machine": machine(), "load_average_at_start": os.getloadavg()}
    result["codedsl"] = bench_env("CodeDSL-v0", sizes=(64, 256), steps=args.steps, repeats=args.repeats, include_async=False)
    result["codedsl"].pop("machine", None)
    result["codedsl_without_scoring"] = bench_env_logic("CodeDSL-v0", num_envs=256, steps=args.steps, repeats=args.repeats)
    for n, row in result["codedsl"]["by_size"].items():
        print(f"CodeDSL-v0 x{n}: native {row['native']:.0f} steps/s, sync {row['sync']:.0f} steps/s ({row['native_over_sync']:.1f}x)")
    print(f"CodeDSL-v0 single {result['codedsl']['single_steps_per_s']:.0f} steps/s; without scoring {result['codedsl_without_scoring']}")
    result["codegen_sandbox"] = {
        "sequential": sandbox_throughput(max_workers=1, repeats=args.repeats),
        "parallel": sandbox_throughput(max_workers=None, repeats=args.repeats),
        "parser_shortcut": parser_shortcut_throughput(),
    }
    for name, row in result["codegen_sandbox"].items():
        print(f"CodeGen-v0 sandbox {name}: {row}")
    codegen = bench_env("CodeGen-v0", sizes=(64,), steps=args.steps, repeats=args.repeats, include_async=False,
                        max_length=CODEGEN_BENCH_LENGTH)
    codegen.pop("machine", None)
    codegen["max_length"] = CODEGEN_BENCH_LENGTH
    result["codegen_random_tokens"] = codegen
    row = codegen["by_size"]["64"]
    print(f"CodeGen-v0 x64 random tokens: native {row['native']:.0f} steps/s, sync {row['sync']:.0f} ({row['native_over_sync']:.1f}x)")
    result["load_average_at_end"] = os.getloadavg()
    write_results(RESULTS, result, indent=2)


if __name__ == "__main__":
    main()
