"""The ``genenvs`` command: list, inspect, sample and benchmark environments."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np


def _cmd_list(args: argparse.Namespace) -> int:
    from genenvs.core.registration import all_entries

    rows = all_entries()
    width = max(len(e.id) for _, e in rows)
    for domain, entry in rows:
        flag = "*" if entry.flagship else " "
        print(f"{flag} {entry.id:<{width}}  {domain:<10} {entry.description}")
    print("\n* flagship environment of its domain")
    return 0


def _space_text(space: gym.Space) -> str:
    if isinstance(space, gym.spaces.Dict):
        return "Dict(" + ", ".join(f"{k}: {_space_text(v)}" for k, v in space.spaces.items()) + ")"
    if isinstance(space, gym.spaces.MultiDiscrete):
        return f"MultiDiscrete(shape={space.shape}, max={int(space.nvec.max())})"
    return str(space)


def _cmd_info(args: argparse.Namespace) -> int:
    from genenvs.core.registration import describe

    domain, entry = describe(args.env_id)
    env = gym.make(args.env_id, disable_env_checker=True)
    print(f"{entry.id} ({domain}): {entry.description}")
    print(f"  observation_space: {_space_text(env.observation_space)}")
    print(f"  action_space:      {_space_text(env.action_space)}")
    print(f"  native vector env: {'yes' if entry.vector_entry_point else 'no'}")
    prov = env.unwrapped.provenance
    print("  provenance:")
    print("    " + json.dumps(prov, indent=2, sort_keys=True).replace("\n", "\n    "))
    env.close()
    return 0


def _random_legal_action(env: gym.Env, info: dict[str, Any], rng: np.random.Generator):
    mask = info.get("action_mask")
    if mask is not None:
        return int(rng.choice(np.flatnonzero(mask)))
    return env.action_space.sample()


def _cmd_sample(args: argparse.Namespace) -> int:
    env = gym.make(args.env_id, render_mode="ansi", disable_env_checker=True)
    env.action_space.seed(args.seed)
    rng = np.random.default_rng(args.seed)
    for i in range(args.n):
        _, info = env.reset(seed=args.seed + i)
        done = False
        while not done:
            _, _, term, trunc, info = env.step(_random_legal_action(env, info, rng))
            done = term or trunc
        print(f"--- sample {i + 1} ---")
        print(env.render())
        print("reward_components:", {k: round(v, 4) for k, v in info.get("reward_components", {}).items()})
    env.close()
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from genenvs.benchmark import bench_env
    from genenvs.core.registration import registered_ids

    ids = args.env_ids or registered_ids()
    results = []
    for env_id in ids:
        r = bench_env(env_id, sizes=args.num_envs, steps=args.steps, repeats=args.repeats, include_async=args.with_async)
        results.append(r)
        print(f"{env_id:<24} single {r['single_steps_per_s']:>10.0f} steps/s", flush=True)
        for n, row in r["by_size"].items():
            parts = [f"{kind}({n}) {row[kind]:>11.0f}/s" for kind in ("native", "sync", "async") if kind in row]
            ratio = f"  native/sync x{row['native_over_sync']:.1f}" if "native_over_sync" in row else ""
            print(" " * 25 + "  ".join(parts) + ratio, flush=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genenvs", description="Gymnasium environments for RL on generative tasks.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="every registered environment").set_defaults(func=_cmd_list)
    p = sub.add_parser("info", help="spaces, reward components and provenance of an environment")
    p.add_argument("env_id")
    p.set_defaults(func=_cmd_info)
    p = sub.add_parser("sample", help="samples from a random legal policy, rendered")
    p.add_argument("env_id")
    p.add_argument("-n", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_sample)
    p = sub.add_parser("bench", help="steps/s: single env, native vector env and SyncVectorEnv, in one run")
    p.add_argument("env_ids", nargs="*", help="environment IDs (default: all)")
    p.add_argument("--num-envs", type=int, nargs="+", default=[64, 256])
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--with-async", action="store_true", help="also measure AsyncVectorEnv (one process per env: slow to start)")
    p.add_argument("--json", help="write the results to this JSON file")
    p.set_defaults(func=_cmd_bench)
    try:
        from genenvs.leaderboard.cli import add_leaderboard_parser
    except ImportError:  # the leaderboard library is optional at this layer
        pass
    else:
        add_leaderboard_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    import genenvs  # noqa: F401  registers the environments

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, KeyError) as exc:
        print(f"genenvs: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
