"""Re-create the shipped baseline entries: run every (env, algo) of the matrix for 3 seeds
and submit each group with `genenvs leaderboard submit`.

    python leaderboard/make_entries.py [--only ENV_ID ...] [--algo NAME ...] [--runs runs/leaderboard]

Each run's exact command is recorded in its entry; this script is the batch form.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 2)

#: (env ID, algorithm, budget, extra --set overrides); hyperparameters live in
#: baselines/configs/<ENV>/<algo>.toml, budgets are sized for a 2-core CPU.
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
    ("TextGen-v0", "ppo", 200_000, []),  # env steps; adaptive KL to the prior (baselines/configs/TextGen-v0/ppo.toml)
    ("CodeGen-v0", "random", 256, []),
    ("CodeDSL-v0", "random", 2048, []),
    ("CodeDSL-v0", "prior", 2048, []),  # the shipped program prior, which ignores the examples
    ("CodeDSL-v0", "reinforce", 4096, []),  # lr=0.003 lives in baselines/configs/CodeDSL-v0/reinforce.toml
    ("CodeDSL-v0", "ppo", 262_144, []),  # env steps (about 55,000 programs); lr in baselines/configs/CodeDSL-v0/ppo.toml
    ("AudioGen-v0", "random", 1024, []),
    ("AudioGen-v0", "prior", 1024, []),
    ("AudioGen-v0", "ppo", 600_000, []),  # env steps; ~2.6 CPU-min per seed (baselines/configs/AudioGen-v0/ppo.toml)
    ("NASGen-v0", "random", 512, []),
    ("NASGen-v0", "reinforce", 512, []),
    ("ImageGen-v0", "random", 2048, []),
    ("ImageGen-v0", "prior", 2048, []),
    ("ImageGen-v0", "ddpo", 2048, []),  # DDPO-IS + DPOK KL, baselines/configs/ImageGen-v0/ddpo.toml
    # Non-token environments: budgets count env steps; mean_score_last is the mean of the last
    # 64 episodes (sb3-*, random; moldqn and MolGraph random: the last 10). sb3-ppo is the one
    # learner that runs on StrokeGen's box actions; at this budget it stays below random (its
    # Gaussian policy starts at 0, so half of each stroke parameter's draws clip to an edge).
    ("StrokeGen-v0", "random", 32_768, []),
    ("StrokeGen-v0", "sb3-ppo", 32_768, []),
    ("SynthMatch-v0", "random", 16_384, []),
    ("SynthMatch-v0", "sb3-ppo", 16_384, []),
    ("MolGraph-v0", "random", 1200, ["batch_size=10"]),  # 30 episodes of 40 edits
    ("MolGraph-v0", "moldqn", 1200, ["log_every=10"]),  # ~2.5 CPU-min per seed (the reference Q-network)
]

#: Environment settings (``--env-kwargs``) of an environment's entries; its defaults otherwise.
#: ImageGen-v0's default reward (the digit classifier) is ~99% solved by the pretrained
#: sampler, so its entries use the learned preference reward, which has headroom.
ENV_KWARGS = {
    "ImageGen-v0": {"reward": "preference", "num_steps": 10},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="environment IDs to (re)run")
    parser.add_argument("--algo", nargs="*", help="algorithms to (re)run (with --only: of those environments)")
    parser.add_argument("--runs", default="runs/leaderboard")
    args = parser.parse_args(argv)
    for env_id, algo, budget, overrides in MATRIX:
        if (args.only and env_id not in args.only) or (args.algo and algo not in args.algo):
            continue
        dirs = []
        for seed in SEEDS:
            out = Path(args.runs) / f"{env_id}-{algo}-s{seed}"
            cmd = [sys.executable, "-m", "baselines.train", "--env", env_id, "--algo", algo, "--seed", str(seed), "--budget", str(budget), "--device", "cpu", "--out", str(out)]
            for item in overrides:
                cmd += ["--set", item]
            if env_id in ENV_KWARGS:
                cmd += ["--env-kwargs", json.dumps(ENV_KWARGS[env_id])]
            print(" ".join(cmd), flush=True)
            subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            dirs.append(str(out))
        subprocess.run([sys.executable, "-m", "genenvs.cli", "leaderboard", "submit", *dirs, "--force"], check=True, cwd=ROOT)
    subprocess.run([sys.executable, "-m", "genenvs.cli", "leaderboard", "render"], check=True, cwd=ROOT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
