"""Throughput of the audio environments: single env vs native vector env vs SyncVectorEnv.

AudioGen-v0 is measured with and without rendering the finished melodies to audio
(``render_audio``), since rendering 6 s of sound per episode dominates otherwise;
SynthMatch-v0 renders and scores one 0.5 s sound per step and row.

Run:  python benchmarks/audio_bench.py [--num-envs 64] [--steps 200] [--repeats 3]
Writes benchmarks/results/audio.json.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

import genenvs  # noqa: F401  (registers the environments)
from genenvs.benchmark import bench_env, write_results

RESULTS = Path(__file__).resolve().parent / "results" / "audio.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--num-envs", type=int, default=64)
    parser.add_argument("--steps", type=int, default=200, help="vector steps per measurement (AudioGen)")
    parser.add_argument("--synth-steps", type=int, default=40, help="vector steps per measurement (SynthMatch)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--include-async", action="store_true", help="also time AsyncVectorEnv (spawns num_envs processes)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    runs = [
        ("AudioGen-v0", args.steps, {"render_audio": False}),
        ("AudioGen-v0", args.steps, {"render_audio": True}),
        ("SynthMatch-v0", args.synth_steps, {}),
        ("SynthMatch-v0", args.synth_steps, {"num_steps": 8}),
    ]
    n = args.num_envs
    results = []
    for env_id, steps, kwargs in runs:
        result = bench_env(env_id, sizes=(n,), steps=steps, repeats=args.repeats, include_async=args.include_async, **kwargs)
        row = result["by_size"][str(n)]
        result["kwargs"] = kwargs
        result["native_over_single"] = row["native"] / result["single_steps_per_s"]
        results.append(result)
        print(f"{env_id} {kwargs}: single {result['single_steps_per_s']:.0f}/s, native({n}) {row['native']:.0f}/s, "
              f"sync({n}) {row['sync']:.0f}/s (native/sync {row['native_over_sync']:.1f}x, native/single {result['native_over_single']:.1f}x)")
    write_results(RESULTS, {"torch_threads": args.threads, "results": results}, indent=1)


if __name__ == "__main__":
    main()
