"""Target: on AudioGen-v0 an RL agent reduces excessive repetition and notes out of key versus the prior.

    python benchmarks/targets/audiogen_rl_tuner.py [--algo ppo] [--budget 600000] [--samples 1000]

RL Tuner (Jaques et al., 2017, Table 1) compares its Note RNN with the RL-tuned models on
statistics of many generated compositions. This script makes the same table for
AudioGen-v0: it trains ``--algo`` with ``baselines.train.run`` (hyperparameters from
``baselines/configs/AudioGen-v0/<algo>.toml``), then samples ``--samples`` 32-step
melodies from the shipped Note RNN (``prior``) and from the trained policy with the same
sampler (:func:`genenvs.audio.sample_melodies`) and fixed seeds, and computes
:func:`genenvs.audio.melody_metrics` for both, next to the held-out chorale windows the
prior never saw. Besides the paper's rows it records each set's mean music-theory return
``r_MT``, its log-likelihood under the prior, the KL-regularised return the environment pays
(``log p + r_MT / c``), the share of distinct melodies and, for the agent, its KL to the
prior estimated on its own samples, and the mean raw return of every rule (``rule_<name>``).

The target is met when the agent's share of excessively repeated notes *and* of notes out
of key are both below the prior's, with training within 10 minutes of CPU time (process
time, ``OMP_NUM_THREADS=1``; on a shared machine the wall time measures the load as much as
the method). Writes ``benchmarks/results/target_audiogen_rl_tuner.json`` and prints the
table.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from baselines.common.policy import SequencePolicy
from baselines.evaluate import load_run, load_sequence_policy
from baselines.train import run
from genenvs.audio import (
    load_melodies,
    load_prior,
    melody_metrics,
    music_theory_rewards,
    sample_melodies,
)
from genenvs.audio.melody import actions_to_ids
from genenvs.audio.metrics import RL_TUNER_TABLE, improves, metrics_table
from genenvs.audio.prior import melody_log_prob
from genenvs.benchmark import machine, write_results
from genenvs.core.reference_lm import RecurrentLM

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "target_audiogen_rl_tuner.json"
ENV_ID = "AudioGen-v0"
BUDGET = 600_000  # env steps (18,750 melodies)
SAMPLES = 1000
SAMPLE_SEED = 2017  # the prior and the agent draw their melodies from the same seed
TARGET = {"lower_than_prior": ["notes_excessively_repeated", "notes_not_in_key"], "cpu_time_s": 10 * 60}


def audiogen_task():
    return gym.make(ENV_ID, disable_env_checker=True).unwrapped.task


def train_agent(algo: str, seed: int, budget: int, runs: Path) -> tuple[SequencePolicy, dict[str, Any]]:
    """Train ``algo`` on AudioGen-v0; returns the trained policy and the run's record."""
    out = runs / f"{ENV_ID}-{algo}-s{seed}"
    result = run(ENV_ID, algo, seed=seed, budget=budget, out=out, device="cpu")
    trained = load_run(out)
    policy = load_sequence_policy(trained, audiogen_task(), torch.device("cpu"))
    record = {
        "algo": algo,
        "seed": seed,
        "budget": result["budget"],  # unit (env steps for ppo, samples for reinforce), value, used
        "training_metrics": result["metrics"],
        "hyperparameters": trained.hyperparameters,
        "wall_time_s": round(result["wall_time_s"], 1),
        "cpu_time_s": round(result["cpu_time_s"], 1),
        "run_dir": str(out),
    }
    return policy, record


@torch.no_grad()
def policy_log_prob(policy: SequencePolicy, melodies: np.ndarray) -> np.ndarray:
    """``log pi(melody)`` with ``<end>`` masked, as the env and the sampler mask it.

    (Fine-tuning never trains the masked ``<end>`` logit, so it drifts: an unmasked
    softmax, as in :func:`genenvs.audio.prior.melody_log_prob`, would undercount the
    tuned policy's probabilities.)
    """
    tokens = torch.as_tensor(actions_to_ids(melodies), dtype=torch.long)
    lengths = torch.full((len(melodies),), tokens.shape[1], dtype=torch.long)
    return policy.token_log_probs(None, tokens, lengths).sum(dim=1).numpy().astype(np.float64)


def kl_to_prior(policy: SequencePolicy, prior: SequencePolicy, melodies: np.ndarray) -> float:
    """``KL(pi || p)`` in nats per melody, estimated on ``melodies`` sampled from ``pi``."""
    return float((policy_log_prob(policy, melodies) - policy_log_prob(prior, melodies)).mean())


def describe(melodies: np.ndarray, prior: RecurrentLM, c: float) -> dict[str, float]:
    """RL Tuner's statistics of ``melodies`` plus the reward's own view of them."""
    log_p = melody_log_prob(prior, melodies)
    rules = music_theory_rewards(melodies)
    r_mt = sum(rules.values()).sum(axis=1)
    stats = melody_metrics(melodies)
    stats.update(
        music_theory_return=float(r_mt.mean()),
        **{f"rule_{name}": float(values.sum(axis=1).mean()) for name, values in rules.items()},
        prior_log_likelihood=float(log_p.mean()),
        env_return=float((log_p + r_mt / c).mean()),
        distinct_melodies=len({m.tobytes() for m in melodies}) / len(melodies),
    )
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--algo", default="ppo", help="a baselines.train algorithm that trains a sequence policy (ppo, reinforce, ...)")
    parser.add_argument("--seed", type=int, default=0, help="training seed")
    parser.add_argument("--budget", type=int, default=BUDGET, help="training budget in the algorithm's unit (env steps for ppo, samples for reinforce)")
    parser.add_argument("--samples", type=int, default=SAMPLES, help="melodies sampled from each model")
    parser.add_argument("--runs", default=str(ROOT / "runs" / "targets" / "audiogen_rl_tuner"), help="where the run folder goes")
    parser.add_argument("--json", default=str(RESULTS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    agent, training = train_agent(args.algo, args.seed, args.budget, Path(args.runs))
    prior = load_prior()
    task = audiogen_task()
    c = task.c
    agent_melodies = sample_melodies(agent.lm, args.samples, seed=SAMPLE_SEED)
    columns = {
        "Note RNN (prior)": describe(sample_melodies(prior, args.samples, seed=SAMPLE_SEED), prior, c),
        args.algo: describe(agent_melodies, prior, c),
        "held-out chorales": describe(load_melodies("test"), prior, c),
    }
    columns[args.algo]["kl_to_prior"] = kl_to_prior(agent, SequencePolicy.from_task(task).eval(), agent_melodies)
    before, after = columns["Note RNN (prior)"], columns[args.algo]
    improved = {key: improves(key, before[key], after[key]) for key, _, _ in RL_TUNER_TABLE}
    meets = all(improved[key] for key in TARGET["lower_than_prior"]) and training["cpu_time_s"] <= TARGET["cpu_time_s"]

    print(metrics_table(columns))
    for key in ("music_theory_return", "prior_log_likelihood", "env_return", "distinct_melodies", "kl_to_prior"):
        print(f"{key}: " + ", ".join(f"{name} {stats[key]:.3f}" for name, stats in columns.items() if key in stats))
    print(f"training: {training['cpu_time_s']} s CPU, {training['wall_time_s']} s wall; target met: {meets}")
    results = {
        "env_id": ENV_ID,
        "target": TARGET,
        "meets_target": meets,
        "improved_over_prior": improved,
        "samples": args.samples,
        "sample_seed": SAMPLE_SEED,
        "training": training,
        "metrics": columns,
        "table": metrics_table(columns),
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "load_average_at_end": os.getloadavg(),
        "command": " ".join(["OMP_NUM_THREADS=1 python benchmarks/targets/audiogen_rl_tuner.py", *(sys.argv[1:] if argv is None else argv)]),
    }
    write_results(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
