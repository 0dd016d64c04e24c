"""Per-(env, algo) configs: valid, picked up by ``baselines.train``, recorded, and faithful
to the hyperparameters of the shipped leaderboard entries."""

import dataclasses
import json
import shlex
from pathlib import Path

import gymnasium as gym
import pytest

import genenvs  # noqa: F401
from baselines.train import ALGORITHMS, CONFIGS, resolve_args, run

ROOT = Path(__file__).resolve().parents[2]
TOMLS = sorted(CONFIGS.glob("*/*.toml"))
ENTRIES = sorted((ROOT / "leaderboard" / "results").glob("*/*.json"))


@pytest.mark.parametrize("path", TOMLS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_config_names_a_registered_env_an_algorithm_and_known_fields(path):
    env_id, algo = path.parent.name, path.stem
    assert env_id in gym.registry, f"{path}: no environment {env_id!r}"
    assert algo in ALGORITHMS, f"{path}: no algorithm {algo!r}"
    resolve_args(algo, env_id, None, [])  # raises on a field the algorithm's Args lacks


def _set_overrides(command: str) -> list[str] | None:
    """The ``--set`` items of a recorded command; None if it read a ``--config`` file."""
    words = shlex.split(command)
    if "--config" in words:
        return None
    return [words[i + 1] for i, word in enumerate(words) if word == "--set"]


@pytest.mark.parametrize("path", ENTRIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_configs_reproduce_the_hyperparameters_of_shipped_entries(path):
    entry = json.loads(path.read_text())
    overrides = _set_overrides(entry["runs"][0]["command"])
    if overrides is None:
        pytest.skip("the entry's command reads a --config file")
    _, args = resolve_args(entry["algorithm"]["name"], entry["env_id"], None, overrides)
    recorded = entry["algorithm"]["hyperparameters"]
    resolved = dataclasses.asdict(args)
    assert {k: resolved.get(k) for k in recorded} == recorded  # fields added since keep their defaults


def test_codedsl_reinforce_learning_rate_lives_in_its_config():
    _, args = resolve_args("reinforce", "CodeDSL-v0", None, [])
    assert args.lr == 0.003


def test_train_applies_and_records_the_config_files(tmp_path):
    extra = tmp_path / "extra.toml"
    extra.write_text("batch_size = 32\n")
    run("MolGen-v0", "random", seed=0, budget=32, out=tmp_path / "run", device="cpu", config=str(extra))
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["config_files"] == ["baselines/configs/MolGen-v0/random.toml", str(extra)]
    assert config["hyperparameters"]["batch_size"] == 32
