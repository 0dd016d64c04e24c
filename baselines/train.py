"""Train a baseline: ``python -m baselines.train --env ID --algo NAME --seed S --budget N --out DIR``.

The budget counts oracle calls for molecule tasks (PMO's protocol) and samples otherwise
(env steps for the token-level ``ppo`` and ``sb3-*`` algorithms). Hyperparameters come
from the algorithm's ``Args`` defaults, then ``baselines/configs/<ENV>/<algo>.toml`` if it
exists, then ``--config FILE``, then ``--set key=value`` overrides; the resolved values
are recorded in the run's ``config.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import torch

from baselines.common.device import resolve_device, seed_everything
from baselines.common.run_logger import RunLogger

CONFIGS = Path(__file__).resolve().parent / "configs"

#: algorithm name -> module path (each module defines ``Args`` and is wired in ``run``)
ALGORITHMS = {
    "random": "baselines.algos.reference",
    "prior": "baselines.algos.reference",
    "mle": "baselines.algos.mle",
    "reinforce": "baselines.algos.reinforce",
    "reinvent": "baselines.algos.reinvent",
    "grpo": "baselines.algos.grpo",
    "ppo": "baselines.algos.ppo",
    "sb3-ppo": "baselines.algos.sb3",
    "sb3-a2c": "baselines.algos.sb3",
    "sb3-dqn": "baselines.algos.sb3",
    "sb3-maskable-ppo": "baselines.algos.sb3",
    "moldqn": "baselines.algos.moldqn",
    "graph-ga": "baselines.algos.graph_ga",
    "gflownet": "baselines.algos.gflownet",
    "rllib-ppo": "baselines.rllib",
    "ddpo": "baselines.algos.ddpo",
}


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def config_files(algo: str, env_id: str, config: str | None) -> list[Path]:
    """The TOML files a run reads, in order: ``baselines/configs/<ENV>/<algo>.toml`` if it exists, then ``--config``."""
    default = CONFIGS / env_id / f"{algo}.toml"
    return ([default] if default.exists() else []) + ([Path(config)] if config else [])


def resolve_args(algo: str, env_id: str, config: str | None, overrides: list[str]):
    import importlib

    module = importlib.import_module(ALGORITHMS[algo])
    values: dict[str, Any] = {}
    for path in config_files(algo, env_id, config):
        values.update(tomllib.loads(path.read_text()))
    for item in overrides:
        if "=" not in item:
            raise ValueError(f"--set expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        values[key] = _parse_value(value)
    fields = {f.name for f in dataclasses.fields(module.Args)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise ValueError(f"unknown hyperparameters for {algo}: {unknown}; known: {sorted(fields)}")
    return module, module.Args(**values)


def run(env_id: str, algo: str, seed: int = 0, budget: int = 1000, out: str | Path = "runs/run", device: str = "auto", config: str | None = None, overrides: list[str] | None = None, env_kwargs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Train one baseline and write its run folder; returns the result dict."""
    import gymnasium as gym

    import genenvs  # noqa: F401

    if algo not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algo!r}; choose from {sorted(ALGORITHMS)}")
    if env_id not in gym.registry:
        raise ValueError(f"unknown environment {env_id!r}; `genenvs list` shows the registered IDs")
    if budget < 1:
        raise ValueError(f"--budget must be positive, got {budget}")
    module, hp = resolve_args(algo, env_id, config, overrides or [])
    dev = resolve_device(device)
    seed_everything(seed)
    record = {"env": env_id, "algo": algo, "seed": seed, "budget": budget, "device": str(dev), "hyperparameters": dataclasses.asdict(hp), "env_kwargs": env_kwargs or {}, "config_files": [_shown(p) for p in config_files(algo, env_id, config)]}
    cli = argparse.Namespace(env=env_id, algo=algo, seed=seed, budget=budget, device=dev, batch_size=getattr(hp, "batch_size", 64))
    if algo in ("random", "prior"):
        from baselines.algos import ddpo

        if ddpo.is_denoising_env(env_id):  # ImageGen-v0: image actions, no token task
            return ddpo.train_reference(algo, hp.batch_size, cli, out, record, env_kwargs)
    if algo in ("random", "prior", "reinforce", "reinvent", "grpo"):
        return _run_sequence(module, algo, hp, cli, out, record, env_kwargs)
    if algo == "mle":
        return _run_mle(module, hp, cli, out, record, env_kwargs)
    return module.train(hp, cli, out, record, env_kwargs)


def _run_sequence(module, algo, hp, cli, out, record, env_kwargs):
    import gymnasium as gym

    from baselines.algos.reference import NoUpdate, uniform_policy
    from baselines.common.loop import make_prior_policy, train_sequence_algorithm
    from baselines.common.policy import SequencePolicy

    probe = gym.make(cli.env, disable_env_checker=True, **(env_kwargs or {}))
    task = getattr(probe.unwrapped, "task", None)
    probe.close()
    if task is None and algo == "random":  # strokes, synthesiser parameters, graph edits: no tokens
        return module.train_uniform_actions(hp, cli, out, record, env_kwargs)
    if task is None:
        raise ValueError(f"{algo} samples token sequences; {cli.env} is not a token-level environment")
    prior = make_prior_policy(task, cli.device)
    if algo == "random":
        policy, learner = uniform_policy(task).to(cli.device), NoUpdate()
    elif algo == "prior":
        if task.reference_model_path() is None:
            raise ValueError(f"{cli.env} ships no prior to sample")
        policy, learner = SequencePolicy.from_task(task).to(cli.device), NoUpdate()
    else:
        policy = SequencePolicy.from_task(task).to(cli.device)
        cls = {"reinforce": "Reinforce", "reinvent": "Reinvent", "grpo": "GRPO"}[algo]
        learner = getattr(module, cls)(policy, prior, hp)
    main = "top10" if cli.budget and _is_oracle(cli.env) else "mean_score"
    logger = RunLogger(out, record, main_metric=main)
    result = train_sequence_algorithm(learner, policy, cli, logger, cli.device, env_kwargs)
    if algo not in ("random",):
        torch.save(policy.state_dict(), Path(out) / "checkpoint.pt")
    x = "oracle_calls" if _is_oracle(cli.env) else "samples"
    return logger.finish(result["metrics"], result["samples"], result["provenance"], result["budget"], x=x, oracle_call_order=result["oracle_call_order"])


def _run_mle(module, hp, cli, out, record, env_kwargs):
    import gymnasium as gym

    env = gym.make(cli.env, disable_env_checker=True, **(env_kwargs or {}))
    task = env.unwrapped.task
    logger = RunLogger(out, record, main_metric="valid_nll")
    model, metrics = module.train_mle(task, hp, cli.budget, cli.seed, str(cli.device), logger.log)
    model.save(Path(out) / "checkpoint.pt", metadata=metrics)
    return logger.finish(metrics, [], env.unwrapped.provenance, {"unit": "training_sequences", "value": cli.budget})


def _shown(path: Path) -> str:
    """A config file's path as recorded: relative to the repository when it lies inside it."""
    path = path.resolve()
    return str(path.relative_to(CONFIGS.parent.parent)) if path.is_relative_to(CONFIGS.parent.parent) else str(path)


def _is_oracle(env_id: str) -> bool:
    from baselines.common.envs import budget_unit

    return budget_unit(env_id) == "oracle_calls"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baselines.train", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", required=True, help="environment ID, e.g. MolGen-v0")
    parser.add_argument("--algo", required=True, choices=sorted(ALGORITHMS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    parser.add_argument("--budget", type=int, required=True, help="oracle calls (molecules), samples, or env steps (ppo, sb3-*)")
    parser.add_argument("--out", default=None, help="run folder (default runs/<env>-<algo>-s<seed>)")
    parser.add_argument("--config", help="TOML file of hyperparameters")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one hyperparameter")
    parser.add_argument("--env-kwargs", default="{}", help="JSON dict passed to gym.make, e.g. '{\"objective\": \"plogp\"}'")
    args = parser.parse_args(argv)
    out = args.out or f"runs/{args.env}-{args.algo}-s{args.seed}"
    try:
        result = run(args.env, args.algo, args.seed, args.budget, out, args.device, args.config, args.set, json.loads(args.env_kwargs))
    except (ValueError, RuntimeError) as exc:
        print(f"baselines.train: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"env": args.env, "algo": args.algo, "seed": args.seed, "metrics": result["metrics"], "out": str(out)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
