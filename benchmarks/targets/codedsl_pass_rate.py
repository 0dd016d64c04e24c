"""Target (issue #9): on CodeDSL-v0, RL's pass rate is clearly above random's and the prior's.

    OMP_NUM_THREADS=1 python benchmarks/targets/codedsl_pass_rate.py [--algos random prior reinforce ppo] [--seed 0]

Trains each algorithm with ``baselines.train.run`` (hyperparameters from
``baselines/configs/CodeDSL-v0/<algo>.toml`` or the ``Args`` defaults) at the budget of
:data:`BUDGETS`, then evaluates every policy on the same held-out tasks: the first tasks
of :data:`EVAL_TASKS` environment rows seeded from :data:`EVAL_SEED` (seeds no training
run uses), one program sampled per task (pass@1 at temperature 1, grammar-masked, as in
training). Reported per algorithm, with standard errors:

* ``pass_rate``: the mean fraction of a task's 5 examples the program reproduces (the
  environment's default reward); ``solved``: the fraction of tasks it solves;
* the same with **shuffled examples**: the policy reads another task's examples (the
  tasks shifted by one) while its program is scored on its own task. A policy that
  ignores the examples samples exactly the same programs either way, so the gap between
  the two says how much of the pass rate comes from reading the examples;
* for the learners, the paired difference to the best reference (``random`` or
  ``prior``) on the same tasks.

``random`` samples uniform legal tokens; ``prior`` samples the shipped program prior
(``genenvs/code/data/dsl_prior.pt``), which ignores the examples. A learner meets the
target when its pass rate exceeds the best reference's by more than
:data:`MARGIN_STANDARD_ERRORS` paired standard errors and the whole script's process CPU
time stays within :data:`TARGET` (single-threaded: ``OMP_NUM_THREADS=1``).
Writes ``benchmarks/results/target_codedsl_pass_rate.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from baselines.common.policy import pad_actions
from baselines.evaluate import load_run, load_sequence_policy
from baselines.train import run
from genenvs.benchmark import machine, write_results

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "target_codedsl_pass_rate.json"
ENV_ID = "CodeDSL-v0"
REFERENCES = ("random", "prior")
#: Training budget per algorithm: samples (``random``, ``prior``, ``reinforce``) or env steps (``ppo``).
BUDGETS = {"random": 2048, "prior": 2048, "reinforce": 65_536, "ppo": 262_144}
EVAL_SEED = 10_000
EVAL_TASKS = 2000
MARGIN_STANDARD_ERRORS = 3.0
TARGET = {"cpu_time_s": 10 * 60}


def held_out_pass_rates(run_dir: Path, shuffle_examples: bool = False) -> np.ndarray:
    """Per held-out task, the pass rate of one program sampled by the run's policy.

    With ``shuffle_examples`` each program is written from another task's examples (the
    tasks shifted by one) and scored on its own task. The sampling seed is the same both
    ways, so a policy that ignores the examples gives identical results.
    """
    env = gym.make_vec(ENV_ID, EVAL_TASKS, granularity="sample", autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    task = env.unwrapped.task
    policy = load_sequence_policy(load_run(run_dir), task, torch.device("cpu"))
    examples, _ = env.reset(seed=EVAL_SEED)
    if shuffle_examples:
        examples = np.roll(examples, 1, axis=0)
    mask_fn = lambda tokens, lengths: task.action_mask(tokens, lengths, env.unwrapped.contexts)
    tokens, _, _ = policy.sample(examples, EVAL_TASKS, mask_fn, torch.Generator().manual_seed(EVAL_SEED))
    _, _, _, _, infos = env.step(pad_actions(tokens, task.max_length, task.vocab.pad_id))
    env.close()
    return np.asarray(infos["final_info"]["score"], dtype=np.float64)


def train_and_evaluate(algo: str, seed: int, budget: int, runs: Path) -> tuple[dict[str, Any], np.ndarray]:
    """One training run and its held-out evaluation; returns the row and the per-task pass rates."""
    out = runs / f"{ENV_ID}-{algo}-s{seed}"
    result = run(ENV_ID, algo, seed=seed, budget=budget, out=out, device="cpu")
    scores = held_out_pass_rates(out)
    shuffled = held_out_pass_rates(out, shuffle_examples=True)
    config = json.loads((out / "config.json").read_text())
    row = {
        "algo": algo,
        "seed": seed,
        "budget": result["budget"],
        "pass_rate": float(scores.mean()),
        "pass_rate_se": _standard_error(scores),
        "solved": float((scores == 1.0).mean()),
        "solved_se": _standard_error(scores == 1.0),
        "pass_rate_shuffled_examples": float(shuffled.mean()),
        "solved_shuffled_examples": float((shuffled == 1.0).mean()),
        "gain_from_reading_examples": float((scores - shuffled).mean()),
        "gain_from_reading_examples_se": _standard_error(scores - shuffled),
        "training_mean_score_last": result["metrics"]["mean_score_last"],
        "train_wall_time_s": round(result["wall_time_s"], 1),
        "train_cpu_time_s": round(result["cpu_time_s"], 1),
        "hyperparameters": config["hyperparameters"],
        "run_dir": os.path.relpath(out, ROOT),
    }
    return row, scores


def _standard_error(values: np.ndarray) -> float:
    values = np.asarray(values, dtype=np.float64)
    return float(values.std(ddof=1) / np.sqrt(len(values)))


def compare_to_references(rows: list[dict[str, Any]], scores: dict[str, np.ndarray]) -> None:
    """Add each learner's paired margin over the best reference (same held-out tasks, same order)."""
    references = [algo for algo in REFERENCES if algo in scores]
    if not references:
        return
    best = max(references, key=lambda algo: scores[algo].mean())
    for row in rows:
        if row["algo"] in REFERENCES:
            continue
        difference = scores[row["algo"]] - scores[best]
        row["best_reference"] = best
        row["margin_over_best_reference"] = float(difference.mean())
        row["margin_se"] = _standard_error(difference)
        row["clearly_above_references"] = bool(difference.mean() > MARGIN_STANDARD_ERRORS * row["margin_se"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--algos", nargs="+", default=["random", "prior", "reinforce", "ppo"], choices=sorted(BUDGETS))
    parser.add_argument("--seed", type=int, default=0, help="training seed (the held-out tasks are fixed by EVAL_SEED)")
    parser.add_argument("--runs", default=str(ROOT / "runs" / "targets" / "codedsl_pass_rate"), help="where the run folders go")
    parser.add_argument("--json", default=str(RESULTS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    cpu = time.process_time()
    rows, scores = [], {}
    for algo in args.algos:
        row, scores[algo] = train_and_evaluate(algo, args.seed, BUDGETS[algo], Path(args.runs))
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "hyperparameters"}), flush=True)
    compare_to_references(rows, scores)
    total_cpu = time.process_time() - cpu
    learners = [row for row in rows if row["algo"] not in REFERENCES]
    results = {
        "env_id": ENV_ID,
        "eval": {"seed": EVAL_SEED, "tasks": EVAL_TASKS, "decoding": "one sample per task, temperature 1, grammar mask"},
        "target": {"margin_standard_errors": MARGIN_STANDARD_ERRORS, **TARGET},
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "load_average_at_end": os.getloadavg(),
        "torch_threads": torch.get_num_threads(),
        "total_cpu_time_s": round(total_cpu, 1),
        "meets_target": any(row.get("clearly_above_references", False) for row in learners) and total_cpu <= TARGET["cpu_time_s"],
        "runs": rows,
    }
    write_results(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
