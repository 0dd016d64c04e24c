"""Every baseline trains briefly on CPU and moves in the right direction on an easy task."""

import json

import gymnasium as gym
import numpy as np
import pytest
import torch

from baselines.train import ALGORITHMS, main, run

TOY = "GenenvsToy-v0"
if TOY not in gym.registry:
    gym.register(TOY, entry_point="tests.core.toy:make_toy", vector_entry_point="tests.core.toy:make_toy_vec")


def first_last(out, key="mean_score", k=3):
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    values = [r[key] for r in rows if key in r]
    return np.mean(values[:k]), np.mean(values[-k:]), len(values)


def test_run_folder_has_everything(tmp_path):
    result = run("MolGen-v0", "prior", seed=0, budget=64, out=tmp_path, device="cpu")
    for name in ("config.json", "metrics.csv", "metrics.jsonl", "curve.png", "result.json", "checkpoint.pt"):
        assert (tmp_path / name).exists(), name
    assert list(tmp_path.glob("events.out.tfevents.*"))
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["hyperparameters"]["batch_size"] == 64 and "torch" in config["versions"]
    assert result["metrics"]["oracle_calls"] <= 64 and result["provenance"]["hash"]
    assert result["samples"] and result["samples"][0]["score"] >= result["samples"][-1]["score"]


def test_reinvent_raises_qed_on_molgen(tmp_path):
    run("MolGen-v0", "reinvent", seed=0, budget=640, out=tmp_path, device="cpu", overrides=["batch_size=64"])
    first, last, n = first_last(tmp_path)
    assert n >= 8 and last > first + 0.02
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["metrics"]["top10"] > 0.85 and 0 < result["metrics"]["auc_top10"] <= result["metrics"]["top10"]


@pytest.mark.parametrize("algo,budget", [("reinforce", 2400), ("grpo", 2400)])
def test_sequence_algorithms_learn_the_toy_task(tmp_path, algo, budget):
    run(TOY, algo, seed=0, budget=budget, out=tmp_path, device="cpu", overrides=["lr=0.01"] if algo != "grpo" else ["lr=0.01", "group_size=8"])
    first, last, _ = first_last(tmp_path)
    assert last > first + 0.1


def test_random_is_the_floor(tmp_path):
    result = run(TOY, "random", seed=0, budget=640, out=tmp_path, device="cpu")
    assert -1.0 <= result["metrics"]["mean_score_last"] < 0.6


def test_ppo_learns_the_toy_task(tmp_path):
    run(TOY, "ppo", seed=0, budget=6000, out=tmp_path, device="cpu", overrides=["lr=0.003", "num_envs=32", "episodes_per_update=64", "init_kl_coef=0.0"])
    first, last, _ = first_last(tmp_path)
    assert last > first + 0.1


def test_mle_lowers_held_out_nll(tmp_path):
    run("MolSmiles-v0", "mle", seed=0, budget=4000, out=tmp_path, device="cpu", overrides=["hidden_dim=64", "num_layers=1", "batch_size=256"])
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["valid_nll"] < 60  # an untrained model pays ~log(V) * length = 3.2 * 35 > 100 nats
    assert (tmp_path / "checkpoint.pt").exists()


@pytest.mark.parametrize("algo", ["sb3-ppo", "sb3-a2c", "sb3-dqn", "sb3-maskable-ppo"])
def test_stable_baselines3_trains_on_a_plain_gym_make_env(tmp_path, algo):
    result = run("MolGen-v0", algo, seed=0, budget=1200, out=tmp_path, device="cpu", overrides=["log_every=400", "n_steps=64"])
    assert result["metrics"]["validity_last"] > 0.5 and np.isfinite(result["metrics"]["mean_score_last"])
    assert list(tmp_path.glob("checkpoint*"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_cuda_device_runs(tmp_path):
    result = run("MolGen-v0", "reinvent", seed=0, budget=128, out=tmp_path, device="cuda")
    assert result["metrics"]["oracle_calls"] > 0


def test_cli_errors_are_clear(capsys, tmp_path):
    assert main(["--env", "NoSuchEnv-v0", "--algo", "ppo", "--budget", "10", "--out", str(tmp_path)]) == 2
    assert "unknown environment" in capsys.readouterr().err
    assert main(["--env", "MolGen-v0", "--algo", "reinvent", "--budget", "10", "--out", str(tmp_path), "--set", "sigmaa=3"]) == 2
    assert "unknown hyperparameters" in capsys.readouterr().err
    if not torch.cuda.is_available():
        assert main(["--env", "MolGen-v0", "--algo", "prior", "--budget", "10", "--device", "cuda", "--out", str(tmp_path)]) == 2
        assert "CUDA" in capsys.readouterr().err


def test_every_algorithm_is_tested():
    tested = {"random", "prior", "mle", "reinforce", "reinvent", "grpo", "ppo", "sb3-ppo", "sb3-a2c", "sb3-dqn", "sb3-maskable-ppo"}
    tested |= {"moldqn", "graph-ga", "gflownet", "rllib-ppo"}  # tests/baselines/test_extra_algorithms.py
    tested |= {"ddpo"}  # tests/baselines/test_ddpo.py
    assert set(ALGORITHMS) <= tested
