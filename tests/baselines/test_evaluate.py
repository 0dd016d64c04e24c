"""``python -m baselines.evaluate``: trained checkpoints generate again, deterministically."""

import json

import pytest

from baselines.evaluate import evaluate, main
from baselines.train import run


@pytest.fixture(scope="module")
def reinforce_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("reinforce")
    run("MolGen-v0", "reinforce", seed=0, budget=64, out=out, device="cpu")
    return out


@pytest.fixture(scope="module")
def sb3_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("sb3")
    run("TextGen-v0", "sb3-ppo", seed=0, budget=64, out=out, device="cpu", overrides=["n_envs=2", "n_steps=32", "batch_size=32", "log_every=32"])
    return out


def samples_of(result, seed):
    return [row["sample"] for row in result["by_seed"][str(seed)]["samples"]]


def test_sequence_checkpoint_gives_molecule_metrics(reinforce_run):
    result = evaluate(reinforce_run, episodes=16, seeds=[0, 1], device="cpu")
    assert result["algo"] == "reinforce" and result["env_id"] == "MolGen-v0"
    metrics = result["metrics"]
    for key in ("mean_score", "validity", "uniqueness", "internal_diversity", "top1", "top10", "top100"):
        assert key in metrics, key
    assert 0.0 <= metrics["validity"] <= 1.0 and metrics["top1"] >= metrics["top10"] >= metrics["top100"]
    assert all(len(samples_of(result, s)) == 16 for s in (0, 1))


def test_same_checkpoint_and_seed_give_the_same_samples(reinforce_run):
    first = evaluate(reinforce_run, episodes=16, seeds=[3], device="cpu")
    again = evaluate(reinforce_run / "checkpoint.pt", episodes=16, seeds=[3], device="cpu")
    other = evaluate(reinforce_run, episodes=16, seeds=[4], device="cpu")
    assert samples_of(first, 3) == samples_of(again, 3)
    assert first["metrics"] == again["metrics"]
    assert samples_of(first, 3) != samples_of(other, 4)


def test_sb3_checkpoint_is_deterministic_per_seed(sb3_run):
    first = evaluate(sb3_run, episodes=6, seeds=[0], device="cpu")
    again = evaluate(sb3_run / "checkpoint.zip", episodes=6, seeds=[0], device="cpu")
    assert first["algo"] == "sb3-ppo" and len(samples_of(first, 0)) == 6
    assert samples_of(first, 0) == samples_of(again, 0)
    assert {"mean_score", "validity", "uniqueness", "distinct_1", "distinct_2"} <= set(first["metrics"])


def test_cli_prints_a_table_and_writes_json(reinforce_run, tmp_path, capsys):
    path = tmp_path / "eval.json"
    assert main([str(reinforce_run), "--episodes", "8", "--seeds", "0", "--device", "cpu", "--json", str(path)]) == 0
    assert "mean_score" in capsys.readouterr().out
    written = json.loads(path.read_text())
    assert written["episodes"] == 8 and len(written["by_seed"]["0"]["samples"]) == 8


def test_bad_paths_and_unsupported_algorithms_fail_clearly(tmp_path, capsys):
    assert main([str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 2
    assert "config.json" in capsys.readouterr().err
    (tmp_path / "config.json").write_text(json.dumps({"env": "MolGen-v0", "algo": "graph-ga"}))
    assert main([str(tmp_path)]) == 2
    assert "graph-ga saves no model" in capsys.readouterr().err
    (tmp_path / "config.json").write_text(json.dumps({"env": "MolGen-v0", "algo": "reinvent"}))
    assert main([str(tmp_path)]) == 2
    assert "no checkpoint" in capsys.readouterr().err
