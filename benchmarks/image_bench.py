"""Throughput of the image environments: single env vs native vector env vs SyncVectorEnv.

ImageGen-v0 does one DDPM forward pass per step (batched over the rows in the native
vector env) and scores finished images with the classifier; StrokeGen-v0 renders one
bundle of 5 Bezier strokes per step. Actions are uniformly random (``action_space.sample``),
which costs the same as a policy's actions as far as the environment is concerned.

Run:  python benchmarks/image_bench.py [--num-envs 64] [--steps 100] [--repeats 3]
Writes benchmarks/results/image.json.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

import genenvs  # noqa: F401  (registers the environments)
from genenvs.benchmark import bench_env, write_results

RESULTS = Path(__file__).resolve().parent / "results" / "image.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--num-envs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100, help="steps per measurement (vector steps for vector envs)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    runs = [
        ("ImageGen-v0", {}),
        ("ImageGen-v0", {"reward": "jpeg_compressibility", "kl_coef": 0.01}),
        ("StrokeGen-v0", {}),
    ]
    results = []
    for env_id, kwargs in runs:
        # AsyncVectorEnv is left out: 64 processes each loading torch and the models measure
        # process start-up on a small machine more than the environment.
        result = bench_env(env_id, sizes=(args.num_envs,), steps=args.steps, repeats=args.repeats, include_async=False, **kwargs)
        row = result["by_size"][str(args.num_envs)]
        row["native_over_single"] = row["native"] / result["single_steps_per_s"]
        result["kwargs"] = kwargs
        results.append(result)
        print(f"{env_id} {kwargs}: single {result['single_steps_per_s']:.0f}/s, native x{args.num_envs} {row['native']:.0f}/s, "
              f"sync x{args.num_envs} {row['sync']:.0f}/s (native/sync {row['native_over_sync']:.1f}x, native/single {row['native_over_single']:.1f}x)", flush=True)
    write_results(RESULTS, {"torch_threads": args.threads, "results": results}, indent=1)


if __name__ == "__main__":
    main()
