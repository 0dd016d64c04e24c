"""Throughput of the text environments, compared with references in the same run.

* **TextGen-v0** (default reward: VADER sentiment + per-token KL to the shipped GRU LM):
  environment steps/s of the native vector env against ``gymnasium.vector.SyncVectorEnv``
  and the single env at 64 and 256 envs (``genenvs.benchmark.bench_env``: uniformly
  random legal actions, scoring and the reference LM included), the same without the KL
  term (``kl_coef=0``), and the token engine alone (``bench_env_logic``).
* **TextOracle-v0** (oracle log-likelihood): native vs SyncVectorEnv at 256 envs.
* The sentiment scorer against vaderSentiment's ``SentimentIntensityAnalyzer`` on the
  held-out corpus (texts/s; it reproduces VADER's compound score, see docs/text.md).
* ``*_env_only``: the same native/sync comparison with the actions drawn before timing
  (uniform over the non-end tokens, always legal here), so the clock sees the
  environments only. ``bench_env`` draws each step's actions from the ``(n, V)`` action
  mask inside the timed loop, which costs about a millisecond per step at 256 x 1000: a
  third of a native TextGen step, and nothing next to a SyncVectorEnv step.

Random actions almost never pick ``<end>``, so episodes run to ``max_length`` (32 and
20 tokens); ``STEPS`` is chosen so that the SyncVectorEnv run (``steps // 4`` steps)
finishes and scores its episodes too. AsyncVectorEnv is left out: 256 spawned workers
on a 2-core machine measure the machine, not the env. Torch runs on one thread: on a
shared 2-core machine OpenMP threads oversubscribe the cores and the batched native env
slows down far more than the batch-of-one SyncVectorEnv (we measured 2 threads making the
native env 5x slower under load). Writes ``benchmarks/results/text.json``.

    python benchmarks/text_bench.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch

import genenvs  # noqa: F401  (registers the environments)
from genenvs.benchmark import bench_env, bench_env_logic, machine, write_results
from genenvs.text.corpus import load_sentences
from genenvs.text.rewards import VaderSentiment

RESULTS = Path(__file__).resolve().parent / "results" / "text.json"
#: SyncVectorEnv runs STEPS // 4 steps: 66 covers two full 32-token TextGen episodes.
TEXTGEN_STEPS = 264
#: 42 sync steps cover two 20-token TextOracle episodes.
ORACLE_STEPS = 168


def sentiment_throughput(repeats: int) -> dict[str, float]:
    """Texts/s of our VADER-lexicon scorer and of the full vaderSentiment analyser."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts = list(load_sentences("test"))
    ours, analyzer = VaderSentiment(), SentimentIntensityAnalyzer()
    rates: dict[str, list[float]] = {"genenvs": [], "vaderSentiment": []}
    for _ in range(repeats):
        for name, fn in (("genenvs", ours.polarity), ("vaderSentiment", lambda t: analyzer.polarity_scores(t)["compound"])):
            start = time.perf_counter()
            for t in texts:
                fn(t)
            rates[name].append(len(texts) / (time.perf_counter() - start))
    return {f"{k}_texts_per_s": sorted(v)[len(v) // 2] for k, v in rates.items()}


def env_only(env_id: str, num_envs: int, steps: int, repeats: int, **kwargs) -> dict[str, float]:
    """Native vs SyncVectorEnv steps/s on pre-drawn legal actions (no sampling in the timed loop)."""
    rates: dict[str, list[float]] = {"native": [], "sync": []}
    for mode, n_steps in (("native", steps), ("sync", max(steps // 4, 5))):
        env = gym.make_vec(env_id, num_envs, vectorization_mode="vector_entry_point" if mode == "native" else "sync", **kwargs)
        V = env.single_action_space.n
        for r in range(repeats):
            actions = np.random.default_rng(r).integers(1, V, size=(n_steps, num_envs))
            env.reset(seed=r)
            start = time.perf_counter()
            for a in actions:
                env.step(a)
            rates[mode].append(n_steps * num_envs / (time.perf_counter() - start))
        env.close()
    native, sync = float(np.median(rates["native"])), float(np.median(rates["sync"]))
    return {"num_envs": num_envs, "native": native, "sync": sync, "native_over_sync": native / sync}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    results = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "torch_threads": torch.get_num_threads(),
        "load_average_before": os.getloadavg(),
        "textgen": bench_env("TextGen-v0", sizes=(64, 256), steps=TEXTGEN_STEPS, repeats=args.repeats, include_async=False),
        "textgen_without_kl": bench_env("TextGen-v0", sizes=(256,), steps=TEXTGEN_STEPS, repeats=args.repeats, include_async=False, kl_coef=0.0),
        "textgen_engine": bench_env_logic("TextGen-v0", num_envs=256, steps=TEXTGEN_STEPS, repeats=args.repeats, kl_coef=0.0),
        "textoracle": bench_env("TextOracle-v0", sizes=(256,), steps=ORACLE_STEPS, repeats=args.repeats, include_async=False),
        "textgen_env_only": env_only("TextGen-v0", 256, TEXTGEN_STEPS, args.repeats),
        "textoracle_env_only": env_only("TextOracle-v0", 256, ORACLE_STEPS, args.repeats),
        "sentiment": sentiment_throughput(args.repeats),
        "load_average_after": os.getloadavg(),
        "machine": machine(),
    }
    write_results(RESULTS, results, indent=1)
    for key in ("textgen", "textgen_without_kl", "textoracle"):
        for n, row in results[key]["by_size"].items():
            print(f"{key:20s} n={n:>3}: native {row['native']:9.0f}  sync {row['sync']:7.0f}  native/sync {row['native_over_sync']:5.1f}x")
    for key in ("textgen_env_only", "textoracle_env_only"):
        row = results[key]
        print(f"{key:20s} n=256: native {row['native']:9.0f}  sync {row['sync']:7.0f}  native/sync {row['native_over_sync']:5.1f}x")
    print(json.dumps(results["sentiment"]))


if __name__ == "__main__":
    main()
