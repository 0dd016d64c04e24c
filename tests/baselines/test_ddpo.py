"""DDPO on ImageGen-v0: the policy starts as the pretrained sampler, learns, and reports its KL."""

import json

import numpy as np
import pytest
import torch

import genenvs  # noqa: F401  registers the environments
from baselines.algos.ddpo import (
    Args,
    DenoisingPolicy,
    gaussian_kl,
    gaussian_log_prob,
    make_image_env,
    normalised_advantages,
)
from baselines.train import run

#: A short, cheap setting: 3 denoising steps, and the preference reward (bold, clean digits), which the pretrained model has room to improve.
EASY = {"reward": "preference", "num_steps": 3}


def rows(out):
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def test_policy_starts_as_the_pretrained_sampler():
    env = make_image_env("ImageGen-v0", 4, {"num_steps": 4})
    obs, info = env.reset(seed=0)
    policy = DenoisingPolicy(env.unwrapped.engine.policy)
    for _ in range(4):
        with torch.no_grad():
            mean = policy.mean(torch.as_tensor(obs["image"]), torch.as_tensor(obs["step"]), torch.as_tensor(obs["context"]))
        np.testing.assert_allclose(mean.numpy(), info["pretrained_mean"], atol=1e-5)
        np.testing.assert_allclose(policy.std[obs["step"]].numpy(), info["pretrained_std"])
        obs, _, _, _, info = env.step(mean.numpy())
    env.close()


def test_gaussian_helpers_match_torch_distributions():
    mean, other, action = torch.randn(3, 1, 4, 4), torch.randn(3, 1, 4, 4), torch.randn(3, 1, 4, 4)
    std = torch.tensor([0.5, 0.1, 0.01])
    normal = torch.distributions.Normal(mean, std.view(-1, 1, 1, 1))
    torch.testing.assert_close(gaussian_log_prob(action, mean, std), normal.log_prob(action).flatten(1).sum(1))
    reference = torch.distributions.Normal(other, std.view(-1, 1, 1, 1))
    torch.testing.assert_close(gaussian_kl(mean, other, std), torch.distributions.kl_divergence(normal, reference).flatten(1).sum(1))
    assert torch.all(gaussian_kl(mean, mean, std) == 0)


def test_advantages_are_normalised_per_digit():
    returns = np.array([[1.0], [3.0], [10.0], [30.0], [5.0]])
    adv = normalised_advantages(returns, np.array([0, 0, 1, 1, 2]), clip=5.0)
    np.testing.assert_allclose(adv[:4, 0], [-1, 1, -1, 1], atol=1e-6)  # each digit against its own mean
    assert abs(adv[4, 0] - (5.0 - returns.mean()) / returns.std()) < 1e-6  # a lone digit uses the batch


def test_args_are_checked():
    with pytest.raises(ValueError, match="on-policy"):
        Args(loss="sf", epochs=2)
    with pytest.raises(ValueError, match="loss must be"):
        Args(loss="ppo")


def test_ddpo_raises_the_reward_and_reports_a_finite_kl(tmp_path):
    result = run("ImageGen-v0", "ddpo", seed=0, budget=640, out=tmp_path, device="cpu", env_kwargs=EASY, overrides=["batch_size=32", "lr=0.0003", "kl_coef=0.01"])
    history = rows(tmp_path)
    first, last = np.mean([r["mean_score"] for r in history[:3]]), np.mean([r["mean_score"] for r in history[-3:]])
    assert last > first + 1.0, (first, last)  # about 1.6 -> 5 in this run
    kl = np.array([r["kl_to_prior"] for r in history])
    assert np.all(np.isfinite(kl)) and np.all(kl >= 0) and kl[0] < 1e-3 < kl[-1]  # zero before the first update
    for name in ("config.json", "metrics.csv", "curve.png", "result.json", "checkpoint.pt"):
        assert (tmp_path / name).exists(), name
    assert result["metrics"]["best_score"] == result["samples"][0]["score"]
    assert np.asarray(result["samples"][0]["sample"]).shape == (16, 16)


def test_prior_and_random_run_on_imagegen(tmp_path):
    kwargs = {"reward": "jpeg_compressibility", "num_steps": 3}
    prior = run("ImageGen-v0", "prior", seed=0, budget=32, out=tmp_path / "prior", device="cpu", env_kwargs=kwargs, overrides=["batch_size=16"])
    random = run("ImageGen-v0", "random", seed=0, budget=32, out=tmp_path / "random", device="cpu", env_kwargs=kwargs, overrides=["batch_size=16"])
    assert prior["metrics"]["kl_to_prior_last"] < 1e-3 and prior["metrics"]["digit_accuracy_last"] > 0.7
    assert random["metrics"]["mean_score_last"] < prior["metrics"]["mean_score_last"]  # noise is the least compressible image
    assert prior["provenance"]["hash"] == random["provenance"]["hash"]


def test_ddpo_refuses_other_environments(tmp_path):
    with pytest.raises(ValueError, match="denoising"):
        run("StrokeGen-v0", "ddpo", seed=0, budget=8, out=tmp_path, device="cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_ddpo_trains_on_cuda(tmp_path):
    result = run("ImageGen-v0", "ddpo", seed=0, budget=32, out=tmp_path, device="cuda", env_kwargs=EASY, overrides=["batch_size=16"])
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["device"] == "cuda" and np.isfinite(result["metrics"]["kl_to_prior_last"])
