"""Evaluate a trained baseline: ``python -m baselines.evaluate RUN_DIR_OR_CHECKPOINT [--episodes N] [--seeds 0 1 2]``.

Loads the checkpoint a ``baselines.train`` run saved, rebuilds the environment and the
policy from the run's ``config.json`` (env ID, env kwargs, algorithm, hyperparameters),
and generates ``--episodes`` samples per seed without learning. Reported per seed and
averaged over seeds: mean and max score, validity, uniqueness (distinct valid samples /
valid samples, MOSES's definition; Polykovskiy et al., 2020), the diversity measures the
training runs log (internal diversity for molecules, distinct-1/2 for text), and for
molecules PMO's top-1/10/100 of the unique valid molecules (Gao et al., 2022) and,
with ``--novelty``, MOSES novelty against the shipped training set.

Same checkpoint, same seed, same device: the same samples. Algorithms:

* sequence policies (``random``, ``prior``, ``mle``, ``reinforce``, ``reinvent``,
  ``grpo``, ``ppo``, ``gflownet``) sample whole sequences in the sample-level vector env,
  with the task's grammar masks, as in training;
* ``sb3-*`` models (``checkpoint.zip``) act in ``gym.make(ID)`` with stochastic actions
  (``predict(deterministic=False)``; MaskablePPO reads ``action_masks()``);
* ``moldqn`` acts greedily in MolGraph-v0;
* ``graph-ga`` (no model: it evolves a population) and ``rllib-ppo`` (an RLlib checkpoint:
  restore it with ``ray.rllib.algorithms.algorithm.Algorithm.from_checkpoint``) are
  refused with a message saying so.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import math
import sys
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from baselines.common.device import resolve_device, seed_everything
from baselines.common.diversity import sample_diversity_of
from baselines.common.envs import budget_unit
from baselines.common.loop import plain_sample, sample_key
from baselines.common.policy import SequencePolicy, pad_actions

#: Algorithms whose checkpoint is a :class:`SequencePolicy` (or the LM inside one).
SEQUENCE_ALGOS = ("random", "prior", "mle", "reinforce", "reinvent", "grpo", "ppo", "gflownet")
#: SB3 algorithm name -> (module, class) of the saved model.
SB3_CLASSES = {
    "sb3-ppo": ("stable_baselines3", "PPO"),
    "sb3-a2c": ("stable_baselines3", "A2C"),
    "sb3-dqn": ("stable_baselines3", "DQN"),
    "sb3-maskable-ppo": ("sb3_contrib", "MaskablePPO"),
}
#: Algorithms that cannot be evaluated here, and why.
NOT_EVALUABLE = {
    "graph-ga": "graph-ga saves no model (it evolves a population of molecules); its result.json already lists the best molecules it found",
    "rllib-ppo": "rllib-ppo saves an RLlib checkpoint; restore it with ray.rllib.algorithms.algorithm.Algorithm.from_checkpoint(RUN_DIR/checkpoint)",
}
CHECKPOINT_NAMES = ("checkpoint.pt", "checkpoint.zip", "checkpoint")


@dataclasses.dataclass
class TrainedRun:
    """A run folder's record and the checkpoint to load from it."""

    run_dir: Path
    checkpoint: Path | None  # None for ``random``, which saves no weights
    config: dict[str, Any]

    @property
    def env_id(self) -> str:
        return self.config["env"]

    @property
    def algo(self) -> str:
        return self.config["algo"]

    @property
    def env_kwargs(self) -> dict[str, Any]:
        return self.config.get("env_kwargs") or {}

    @property
    def hyperparameters(self) -> dict[str, Any]:
        return self.config.get("hyperparameters") or {}


def load_run(path: str | Path) -> TrainedRun:
    """A run folder, or a checkpoint file inside one, -> its config and checkpoint."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; pass a run folder written by `python -m baselines.train` or the checkpoint inside it")
    run_dir = path if (path / "config.json").exists() else path.parent
    config_path = run_dir / "config.json"
    if not config_path.exists():
        raise FileNotFoundError(f"found no config.json for {path}: pass a run folder written by `python -m baselines.train` or the checkpoint inside it")
    config = json.loads(config_path.read_text())
    if path != run_dir:
        checkpoint: Path | None = path
    else:
        checkpoint = next((run_dir / name for name in CHECKPOINT_NAMES if (run_dir / name).exists()), None)
    algo = config.get("algo")
    if algo in NOT_EVALUABLE:
        raise ValueError(f"cannot evaluate {run_dir}: {NOT_EVALUABLE[algo]}")
    if algo not in SEQUENCE_ALGOS and algo not in SB3_CLASSES and algo != "moldqn":
        supported = ", ".join([*SEQUENCE_ALGOS, *SB3_CLASSES, "moldqn"])
        raise ValueError(f"cannot evaluate {run_dir}: algorithm {algo!r} is not one evaluate knows ({supported})")
    if checkpoint is None and algo != "random":
        raise FileNotFoundError(f"{run_dir} holds no checkpoint ({', '.join(CHECKPOINT_NAMES)}); did the run finish?")
    return TrainedRun(run_dir, checkpoint, config)


# ---------------------------------------------------------------------------- sequence policies
def load_sequence_policy(run: TrainedRun, task, device: torch.device) -> SequencePolicy:
    """Rebuild the policy the run trained, with its saved weights."""
    from baselines.algos.reference import uniform_policy
    from genenvs.core.reference_lm import RecurrentLM

    if run.algo == "random":
        return uniform_policy(task).to(device).eval()  # zero logits: needs no weights
    if run.algo == "mle":  # the checkpoint is a bare language model
        policy = SequencePolicy(RecurrentLM.load(run.checkpoint), task)
        if policy.mode == "vector":
            raise ValueError(f"an mle checkpoint is an unconditional language model; {run.env_id} conditions on feature contexts it cannot read")
        return policy.to(device).eval()
    state = torch.load(run.checkpoint, map_location=device, weights_only=True)
    if run.algo == "gflownet":
        state = state["policy"]  # the checkpoint also holds log Z
    policy = SequencePolicy.from_task(task, init=run.hyperparameters.get("init", "prior"))
    policy.load_state_dict(state)
    return policy.to(device).eval()


def generate_sequences(policy: SequencePolicy, run: TrainedRun, episodes: int, seed: int, device: torch.device) -> list[dict[str, Any]]:
    """``episodes`` samples of the policy, scored by the sample-level vector env."""
    num_envs = min(episodes, 64)
    env = gym.make_vec(run.env_id, num_envs, granularity="sample", autoreset_mode=gym.vector.AutoresetMode.SAME_STEP, **run.env_kwargs)
    task = env.unwrapped.task

    def grammar(tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        return task.action_mask(tokens, lengths, env.unwrapped.contexts)

    mask_fn = grammar if task.has_grammar_mask else None
    generator = torch.Generator(device=device).manual_seed(seed)
    obs, _ = env.reset(seed=seed)
    rows: list[dict[str, Any]] = []
    while len(rows) < episodes:
        contexts = obs if task.context_space is not None else None
        tokens, _, _ = policy.sample(contexts, num_envs, mask_fn, generator)
        obs, _, _, _, infos = env.step(pad_actions(tokens, task.max_length, task.vocab.pad_id))
        finals = infos["final_info"]
        rows.extend({"sample": s, "score": float(sc), "valid": bool(v)} for s, sc, v in zip(finals["sample"], finals["score"], finals["valid"]))
    env.close()
    return rows[:episodes]


# ---------------------------------------------------------------------------- SB3 and MolDQN
def load_sb3_model(run: TrainedRun, device: torch.device):
    module, name = SB3_CLASSES[run.algo]
    return getattr(importlib.import_module(module), name).load(run.checkpoint, device=str(device))


def generate_sb3(model, run: TrainedRun, episodes: int, seed: int) -> list[dict[str, Any]]:
    """``episodes`` episodes of the SB3 model in the token-level env, stochastic actions."""
    from baselines.algos.sb3 import _flat

    env = _flat(gym.make(run.env_id, **run.env_kwargs))
    model.set_random_seed(seed)  # seeds torch's sampling and, for DQN, the exploration draws
    masked = run.algo == "sb3-maskable-ppo"
    obs, _ = env.reset(seed=seed)
    rows: list[dict[str, Any]] = []
    while len(rows) < episodes:
        masks = env.get_wrapper_attr("action_masks")() if masked else None
        action, _ = model.predict(obs, deterministic=False, **({"action_masks": masks} if masked else {}))
        obs, _, terminated, truncated, info = env.step(int(action))
        if terminated or truncated:
            rows.append({"sample": info["sample"], "score": float(info["score"]), "valid": bool(info["valid"])})
            obs, _ = env.reset()
    env.close()
    return rows


def generate_moldqn(run: TrainedRun, episodes: int, seed: int, device: torch.device) -> list[dict[str, Any]]:
    """Greedy episodes of MolDQN's Q-network (MolGraph-v0 is deterministic: expect repeats)."""
    from baselines.algos.moldqn import Args, QNetwork, run_greedy

    env = gym.make(run.env_id, **run.env_kwargs)
    space = env.observation_space
    hidden = run.hyperparameters.get("hidden", Args().hidden)
    q = QNetwork(space["candidates"].shape[1], hidden).to(device)
    q.load_state_dict(torch.load(run.checkpoint, map_location=device, weights_only=True))
    q.eval()
    env.reset(seed=seed)
    rows = [{**run_greedy(env, q, float(space["steps_left"].high[0])), "valid": True} for _ in range(episodes)]
    env.close()
    return rows


# ---------------------------------------------------------------------------- metrics
def sample_metrics(env_id: str, rows: list[dict[str, Any]], novelty: bool = False) -> dict[str, float]:
    """Score, validity, uniqueness and the domain's diversity / top-k measures of ``rows``."""
    from genenvs.wrappers.oracle_budget import BudgetTracker

    samples = [r["sample"] for r in rows]
    scores = np.array([r["score"] for r in rows], dtype=np.float64)
    valid = np.array([r["valid"] for r in rows], dtype=bool)
    kept = [s for s, v in zip(samples, valid) if v]
    distinct = {sample_key(s): float(sc) for s, sc, v in zip(samples, scores, valid) if v}
    metrics = {"episodes": len(rows), "mean_score": float(scores.mean()), "max_score": float(scores.max()), "validity": float(valid.mean()), "uniqueness": len(distinct) / max(len(kept), 1)}
    molecules = budget_unit(env_id) == "oracle_calls"
    diversity = sample_diversity_of(samples, valid, molecules=molecules)
    diversity.pop("unique_fraction", None)  # the same number as "uniqueness"
    metrics.update(diversity)
    if molecules and distinct:
        tracker = BudgetTracker(budget=len(distinct))  # PMO's top-k means over unique valid molecules
        for key, score in distinct.items():
            tracker.record(key, score)
        metrics.update(tracker.top_means())
    if molecules and novelty:
        from genenvs.molecule.data.build_vocab import load_smiles
        from genenvs.molecule.metrics import validity_uniqueness_novelty

        metrics["novelty"] = validity_uniqueness_novelty(kept, set(load_smiles("train")))["novelty"] if kept else 0.0
    return metrics


def _mean_and_std(per_seed: list[dict[str, float]]) -> tuple[dict[str, float], dict[str, float]]:
    keys = [k for k in per_seed[0] if all(k in m for m in per_seed)]
    mean = {k: float(np.mean([m[k] for m in per_seed])) for k in keys}
    std = {k: float(np.std([m[k] for m in per_seed])) for k in keys}
    return mean, std


# ---------------------------------------------------------------------------- entry points
def evaluate(path: str | Path, episodes: int = 64, seeds: tuple[int, ...] | list[int] = (0,), device: str = "auto", novelty: bool = False) -> dict[str, Any]:
    """Generate ``episodes`` samples per seed from a trained run; returns metrics and samples."""
    import genenvs  # noqa: F401  registers the environments

    if episodes < 1:
        raise ValueError(f"--episodes must be positive, got {episodes}")
    if not seeds:
        raise ValueError("--seeds needs at least one seed")
    run = load_run(path)
    if run.env_id not in gym.registry:
        raise ValueError(f"the run's environment {run.env_id!r} is not registered; `genenvs list` shows the registered IDs")
    dev = resolve_device(device)
    by_seed: dict[str, dict[str, Any]] = {}
    model = None
    for seed in seeds:
        seed_everything(seed)
        if run.algo in SB3_CLASSES:
            if model is None:
                model = load_sb3_model(run, dev)
            rows = generate_sb3(model, run, episodes, seed)
        elif run.algo == "moldqn":
            rows = generate_moldqn(run, episodes, seed, dev)
        else:
            if model is None:
                probe = gym.make(run.env_id, disable_env_checker=True, **run.env_kwargs)
                task = getattr(probe.unwrapped, "task", None)
                probe.close()
                if task is None:
                    raise ValueError(f"cannot evaluate {run.run_dir}: {run.env_id} is not a token-level environment, and only token policies are replayed for {run.algo!r}")
                model = load_sequence_policy(run, task, dev)
            rows = generate_sequences(model, run, episodes, seed, dev)
        by_seed[str(seed)] = {"metrics": sample_metrics(run.env_id, rows, novelty), "samples": [{**r, "sample": plain_sample(r["sample"])} for r in rows]}
    mean, std = _mean_and_std([s["metrics"] for s in by_seed.values()])
    return {
        "run_dir": str(run.run_dir),
        "checkpoint": None if run.checkpoint is None else str(run.checkpoint),
        "env_id": run.env_id,
        "env_kwargs": run.env_kwargs,
        "algo": run.algo,
        "device": str(dev),
        "episodes": episodes,
        "seeds": list(seeds),
        "metrics": mean,
        "metrics_std": std,
        "by_seed": by_seed,
    }


def format_table(result: dict[str, Any]) -> str:
    """Metrics as a plain-text table: mean, std over seeds, then each seed."""
    seeds = list(result["by_seed"])
    header = ["metric", "mean", "std", *[f"seed {s}" for s in seeds]]
    lines = [f"{result['algo']} on {result['env_id']} ({result['episodes']} samples per seed, {result['device']})", "  ".join(f"{h:>18}" for h in header)]
    for key, mean in result["metrics"].items():
        cells = [key, mean, result["metrics_std"][key], *[result["by_seed"][s]["metrics"].get(key, math.nan) for s in seeds]]
        lines.append("  ".join(f"{c:>18}" if isinstance(c, str) else f"{c:>18.4g}" for c in cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m baselines.evaluate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="run folder written by baselines.train, or the checkpoint file inside it")
    parser.add_argument("--episodes", type=int, default=64, help="samples generated per seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    parser.add_argument("--novelty", action="store_true", help="molecules: MOSES novelty against the shipped training set (canonicalises 40,000 SMILES: seconds)")
    parser.add_argument("--json", help="write metrics and samples to this file")
    args = parser.parse_args(argv)
    try:
        result = evaluate(args.path, args.episodes, args.seeds, args.device, args.novelty)
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"baselines.evaluate: error: {exc}", file=sys.stderr)
        return 2
    print(format_table(result))
    if args.json:
        from genenvs.benchmark import write_results

        write_results(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
