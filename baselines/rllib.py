"""Ray RLlib's PPO on any genenvs environment, on this machine or on a Ray cluster.

::

    python -m baselines.rllib --env MolGen-v0 --budget 20000                    # local Ray, 2 env runners
    python -m baselines.rllib --env MolGen-v0 --budget 1000000 --address auto   # join a running cluster
    python -m baselines.rllib --env TextOracle-v0 --address ray://head:10001    # Ray Client

RLlib builds each env runner's environments with ``gym.make("genenvs:<ID>", **env_kwargs)``
(the ``genenvs:`` prefix imports and registers the package in the worker), flattens the
``Dict`` observations (one-hot for token ids) and trains its default MLP policy with PPO.
This is the plug-and-play check at cluster scale: nothing here knows what a molecule or a
token is. The budget counts environment steps. RLlib's default module does not read
``action_masks()``; masked actions simply cost the agent its episode (the envs' default
``on_invalid_action``).

:class:`RayScorer` fans an expensive scorer (unit tests executed in a sandbox, a large
reward model) out over Ray tasks, so the *environment* can use a cluster's CPUs too.

Ray is imported lazily: without ``ray[rllib]`` everything else in ``baselines`` works, and
these functions raise an :class:`ImportError` saying what to install.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult

RAY_HINT = "Ray RLlib is not installed: pip install 'ray[rllib]==2.60.0' (it pins gymnasium==1.2.2, which genenvs supports)"


def require_ray():
    """The ``ray`` module, or an ImportError that says how to get it."""
    try:
        import ray
        import ray.rllib
    except ImportError as exc:
        raise ImportError(f"{RAY_HINT} ({exc})") from exc
    return ray


def connect(address: str = "", num_cpus: int | None = None, ship_code: bool = True) -> bool:
    """Start a local Ray instance (``address=""``) or join a cluster; True if this call started Ray.

    Joining a cluster (``"auto"`` on a cluster node, ``"ray://host:10001"`` from outside)
    with ``ship_code`` uploads the local ``genenvs`` and ``baselines`` packages to the
    workers (Ray's ``runtime_env`` ``py_modules``), so the cluster only needs the
    third-party dependencies installed.
    """
    ray = require_ray()
    if ray.is_initialized():
        return False
    common = {"include_dashboard": False, "log_to_driver": False}
    if address:
        import baselines
        import genenvs

        ray.init(address=address, runtime_env={"py_modules": [genenvs, baselines]} if ship_code else None, **common)
    else:
        ray.init(num_cpus=num_cpus or os.cpu_count(), **common)
    return True


# ---------------------------------------------------------------------------- PPO
@dataclasses.dataclass
class Args:
    num_env_runners: int = 2
    num_envs_per_env_runner: int = 1
    train_batch_size: int = 2048  # env steps per PPO iteration
    minibatch_size: int = 256
    num_epochs: int = 4
    lr: float = 3e-4
    gamma: float = 1.0
    entropy_coeff: float = 0.01
    hidden: list[int] = dataclasses.field(default_factory=lambda: [256, 256])
    address: str = ""  # "" starts a local Ray; "auto" or "ray://host:10001" joins a cluster
    ship_code: bool = True  # upload genenvs and baselines to a cluster's workers
    save_checkpoint: bool = True


def _flatten_connector(env=None, spaces=None, device=None):
    from ray.rllib.connectors.env_to_module import FlattenObservations

    return FlattenObservations()


def _record_score(*, episode, metrics_logger, **_: Any) -> None:
    """RLlib ``on_episode_end`` callback: the genenvs task score and validity of the episode."""
    info = episode.get_infos(-1) or {}
    if "score" in info:
        metrics_logger.log_value("genenvs_score", float(info["score"]), reduce="mean")
        metrics_logger.log_value("genenvs_score_max", float(info["score"]), reduce="max")
        metrics_logger.log_value("genenvs_valid", float(bool(info.get("valid", True))), reduce="mean")


def ppo_config(env_id: str, env_kwargs: dict[str, Any] | None, args: Args, seed: int):
    """The RLlib ``PPOConfig`` for a genenvs environment ID."""
    require_ray()
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig

    return (
        PPOConfig()
        .environment(f"genenvs:{env_id}", env_config=dict(env_kwargs or {}))
        .env_runners(num_env_runners=args.num_env_runners, num_envs_per_env_runner=args.num_envs_per_env_runner, env_to_module_connector=_flatten_connector)
        .training(train_batch_size_per_learner=args.train_batch_size, minibatch_size=args.minibatch_size, num_epochs=args.num_epochs, lr=args.lr, gamma=args.gamma, entropy_coeff=args.entropy_coeff)
        .rl_module(model_config=DefaultModelConfig(fcnet_hiddens=list(args.hidden)))
        .callbacks(on_episode_end=_record_score)
        .debugging(seed=seed)
    )


def train(args: Args, cli, out, record, env_kwargs) -> dict:
    """``baselines.train`` entry point (algorithm ``rllib-ppo``); the budget counts env steps."""
    import gymnasium as gym

    import genenvs  # noqa: F401
    from baselines.common.run_logger import RunLogger

    if cli.env not in gym.registry:
        raise ValueError(f"unknown environment {cli.env!r}; `genenvs list` shows the registered IDs")
    ray = require_ray()
    started = connect(args.address, num_cpus=max(os.cpu_count() or 1, args.num_env_runners), ship_code=args.ship_code)
    logger = RunLogger(out, record, main_metric="mean_score")
    try:
        algo = ppo_config(cli.env, env_kwargs, args, cli.seed).build_algo()
        steps, iterations = 0, 0
        while steps < cli.budget:
            runners = algo.train()["env_runners"]
            iterations += 1
            steps = int(runners["num_env_steps_sampled_lifetime"])
            logged = {"mean_score": runners.get("genenvs_score"), "max_score": runners.get("genenvs_score_max"), "validity": runners.get("genenvs_valid"), "mean_return": runners.get("episode_return_mean"), "episode_len_mean": runners.get("episode_len_mean")}
            logger.log(steps, iterations=iterations, episodes=runners.get("num_episodes_lifetime", 0), **{k: v for k, v in logged.items() if v is not None and not math.isnan(v)})
        if args.save_checkpoint:
            algo.save_to_path(str((Path(out) / "checkpoint").resolve()))
        algo.stop()
    finally:
        if started:
            ray.shutdown()
    probe = gym.make(cli.env, **(env_kwargs or {}))
    provenance = probe.unwrapped.provenance
    probe.close()
    scored = [r for r in logger.rows if "mean_score" in r]
    metrics = {"mean_score_last": scored[-1]["mean_score"] if scored else float("nan"), "validity_last": scored[-1].get("validity", float("nan")) if scored else float("nan"), "best_score": max((r.get("max_score", -math.inf) for r in scored), default=float("nan")), "iterations": iterations, "env_steps": steps}
    return logger.finish(metrics, [], provenance, {"unit": "env_steps", "value": cli.budget, "used": steps})


# ---------------------------------------------------------------------------- scoring
def _score_chunk(scorer: Scorer, batch: SampleBatch) -> ScoreResult:
    return scorer(batch)


class RayScorer(Scorer):
    """Scores a :class:`SampleBatch` in up to ``num_workers`` Ray tasks, then reassembles it.

    For scorers whose cost is per sample and large (executing generated code against unit
    tests, a big reward model on CPUs): the batch is split into contiguous chunks, each
    scored by ``scorer`` in its own task on whatever node has a free CPU, and the results
    are concatenated in order. The wrapped scorer is pickled once into Ray's object store,
    so it must be picklable (plain Python objects, models and RDKit are; open processes or
    sockets are not). The identity is the wrapped scorer's: where a score is computed does
    not change it, so environment provenance hashes do not change either.

    Example (any token task scores through ``task.scorer``)::

        env = gym.make("CodeGen-v0")
        env.unwrapped.task.scorer = RayScorer(env.unwrapped.task.scorer, num_workers=16)

    Args:
        scorer: the scorer to run remotely.
        num_workers: the most tasks a batch is split into.
        address: Ray address to connect to if Ray is not initialised yet (``""``: local).
        num_cpus_per_task: CPUs Ray reserves for each task.
    """

    def __init__(self, scorer: Scorer, num_workers: int = 4, address: str = "", num_cpus_per_task: float = 1.0) -> None:
        if not isinstance(scorer, Scorer):
            raise TypeError(f"RayScorer wraps a genenvs Scorer, got {type(scorer).__name__}")
        if num_workers < 1:
            raise ValueError(f"num_workers must be a positive integer, got {num_workers}")
        self.scorer = scorer
        self.num_workers = int(num_workers)
        self.address = address
        self.num_cpus_per_task = float(num_cpus_per_task)
        self.name, self.version, self.invalid_score = scorer.name, scorer.version, scorer.invalid_score
        self._remote = None
        self._scorer_ref = None

    def params(self) -> dict[str, Any]:
        return self.scorer.params()

    def identity(self) -> dict[str, Any]:
        return self.scorer.identity()

    def score(self, batch: SampleBatch) -> ScoreResult:
        if len(batch) == 0:
            return self.scorer(batch)
        ray = require_ray()
        if not ray.is_initialized():
            connect(self.address)
        if self._remote is None:
            self._remote = ray.remote(num_cpus=self.num_cpus_per_task)(_score_chunk)
            self._scorer_ref = ray.put(self.scorer)
        chunks = [c for c in np.array_split(np.arange(len(batch)), min(self.num_workers, len(batch))) if len(c)]
        results = ray.get([self._remote.remote(self._scorer_ref, batch.subset(c)) for c in chunks])
        return ScoreResult(
            scores=np.concatenate([r.scores for r in results]),
            components={name: np.concatenate([r.components[name] for r in results]) for name in results[0].components},
            valid=np.concatenate([r.valid for r in results]),
        )

    def __getstate__(self) -> dict[str, Any]:
        # Ray handles are process-local; a copy reconnects on first use.
        return {**self.__dict__, "_remote": None, "_scorer_ref": None}


# ---------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    import torch

    from baselines.common.device import seed_everything

    parser = argparse.ArgumentParser(prog="python -m baselines.rllib", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", required=True, help="genenvs environment ID, e.g. MolGen-v0")
    parser.add_argument("--budget", type=int, required=True, help="environment steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--address", default="", help='Ray cluster address ("auto", "ray://host:10001"); empty starts a local instance')
    parser.add_argument("--num-env-runners", type=int, default=2)
    parser.add_argument("--out", default=None, help="run folder (default runs/<env>-rllib-ppo-s<seed>)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override an Args field, e.g. lr=1e-4")
    parser.add_argument("--env-kwargs", default="{}", help="JSON dict passed to gym.make")
    ns = parser.parse_args(argv)
    values: dict[str, Any] = {"address": ns.address, "num_env_runners": ns.num_env_runners}
    for item in ns.set:
        key, _, value = item.partition("=")
        try:
            values[key] = json.loads(value)
        except json.JSONDecodeError:
            values[key] = value
    known = {f.name for f in dataclasses.fields(Args)}
    if set(values) - known:
        print(f"baselines.rllib: error: unknown settings {sorted(set(values) - known)}; known: {sorted(known)}", file=sys.stderr)
        return 2
    args = Args(**values)
    out = ns.out or f"runs/{ns.env}-rllib-ppo-s{ns.seed}"
    seed_everything(ns.seed)
    env_kwargs = json.loads(ns.env_kwargs)
    record = {"env": ns.env, "algo": "rllib-ppo", "seed": ns.seed, "budget": ns.budget, "device": "cpu", "hyperparameters": dataclasses.asdict(args), "env_kwargs": env_kwargs}
    cli = argparse.Namespace(env=ns.env, algo="rllib-ppo", seed=ns.seed, budget=ns.budget, device=torch.device("cpu"))
    try:
        result = train(args, cli, out, record, env_kwargs)
    except (ImportError, ValueError, RuntimeError) as exc:
        print(f"baselines.rllib: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"env": ns.env, "metrics": result["metrics"], "out": str(out)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
