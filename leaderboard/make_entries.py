"""Re-create the shipped baseline entries: run every (env, algo) of the matrix for 3 seeds
and submit each group with `genenvs leaderboard submit`.

    python leaderboard/make_entries.py [--only ENV_ID ...] [--runs runs/leaderboard]

Each run's exact command is recorded in its entry; this script is the batch form.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 2)

#: (env ID, algorithm, budget, extra --set overrides); budgets are sized for a 2-core CPU.
MATRIX = [
    ("MolGen-v0", "random", 1000, []),
    ("MolGen-v0", "prior", 1000, []),
    ("MolGen-v0", "reinvent", 1000, []),
    # MolSmiles-v0 random is left out: uniform SMILES tokens are almost never valid, so
    # 1000 unique valid molecules take hours (the floor is MolGen-v0's random entry).
    ("MolSmiles-v0", "prior", 1000, []),
    ("MolSmiles-v0", "reinvent", 1000, []),
    ("TextGen-v0", "random", 1024, []),
    ("TextGen-v0", "prior", 1024, []),
    ("TextGen-v0", "reinforce", 2048, []),
    ("CodeGen-v0", "random", 256, []),
    ("CodeDSL-v0", "random", 2048, []),
    ("CodeDSL-v0", "reinforce", 4096, ["lr=0.003"]),
    ("AudioGen-v0", "random", 1024, []),
    ("AudioGen-v0", "prior", 1024, []),
    ("NASGen-v0", "random", 512, []),
    ("NASGen-v0", "reinforce", 512, []),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="environment IDs to (re)run")
    parser.add_argument("--runs", default="runs/leaderboard")
    args = parser.parse_args(argv)
    for env_id, algo, budget, overrides in MATRIX:
        if args.only and env_id not in args.only:
            continue
        dirs = []
        for seed in SEEDS:
            out = Path(args.runs) / f"{env_id}-{algo}-s{seed}"
            cmd = [sys.executable, "-m", "baselines.train", "--env", env_id, "--algo", algo, "--seed", str(seed), "--budget", str(budget), "--device", "cpu", "--out", str(out)]
            for item in overrides:
                cmd += ["--set", item]
            print(" ".join(cmd), flush=True)
            subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            dirs.append(str(out))
        subprocess.run([sys.executable, "-m", "genenvs.cli", "leaderboard", "submit", *dirs, "--force"], check=True, cwd=ROOT)
    subprocess.run([sys.executable, "-m", "genenvs.cli", "leaderboard", "render"], check=True, cwd=ROOT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
