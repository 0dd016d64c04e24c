"""Training throughput: our batched token-level PPO vs Stable-Baselines3 PPO, same run.

    python benchmarks/ppo_vs_sb3.py --env TextGen-v0 --steps 20000

Both train on the same environment ID for the same number of environment steps on the
same device; the result is env-steps per second of wall time (rollouts and updates
included), written to benchmarks/results/ppo_vs_sb3.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from baselines.train import run

ROOT = Path(__file__).resolve().parent.parent


def timed(env_id: str, algo: str, steps: int, overrides: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = run(env_id, algo, seed=0, budget=steps, out=out, device="cpu", overrides=overrides)
        elapsed = time.perf_counter() - start
    used = result["metrics"].get("env_steps", steps)
    return {"algo": algo, "env_steps": used, "seconds": elapsed, "env_steps_per_s": used / elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="TextGen-v0")
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "ppo_vs_sb3.json"))
    args = parser.parse_args(argv)
    ours = timed(args.env, "ppo", args.steps, ["num_envs=64"])
    sb3 = timed(args.env, "sb3-ppo", args.steps, ["n_envs=8", f"log_every={max(args.steps // 4, 1)}"])
    result = {"env_id": args.env, "ppo": ours, "sb3_ppo": sb3, "speedup": ours["env_steps_per_s"] / sb3["env_steps_per_s"]}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
