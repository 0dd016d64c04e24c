"""The main job (``make demo``): train REINVENT on MolGen-v0 (QED) on the CPU and report.

Runs the ``random`` floor and ``reinvent`` with the same oracle budget, prints PMO's
metrics side by side and the best molecules found, and leaves both run folders (metrics,
TensorBoard events, learning curves, checkpoints) under ``runs/demo/``.
"""

from __future__ import annotations

import argparse
import sys

from baselines.train import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, default=2000, help="oracle calls per run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default="runs/demo")
    args = parser.parse_args(argv)

    results = {}
    for algo in ("random", "reinvent"):
        print(f"\n== {algo} on MolGen-v0 (QED), {args.budget} oracle calls ==", flush=True)
        results[algo] = run("MolGen-v0", algo, seed=args.seed, budget=args.budget, out=f"{args.out}/{algo}", device=args.device)

    keys = ("oracle_calls", "top1", "top10", "top100", "auc_top10")
    print("\nMolGen-v0, objective QED, PMO metrics (higher is better)")
    print(f"{'algorithm':<10}" + "".join(f"{k:>14}" for k in keys))
    for algo, result in results.items():
        m = result["metrics"]
        print(f"{algo:<10}" + "".join(f"{m[k]:>14.4f}" if isinstance(m[k], float) else f"{m[k]:>14}" for k in keys))
    print("\nbest molecules found by reinvent:")
    for row in results["reinvent"]["samples"][:5]:
        print(f"  {row['score']:.4f}  {row['sample']}")
    print(f"\nrun folders: {args.out}/random, {args.out}/reinvent (curve.png, metrics.csv, TensorBoard events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
