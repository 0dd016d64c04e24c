"""ImageGen-v0: the DDPO denoising MDP on the shipped digits DDPM, and its rewards."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401
from genenvs.core import EpisodeOverError, InvalidActionError
from genenvs.image.data import DATA, read_manifest, sha256_of
from genenvs.image.denoising import gaussian_kl_estimate
from genenvs.image.digits import digit_images
from genenvs.image.rewards import IMAGE_REWARDS, JpegSize, make_image_reward
from genenvs.rewards.base import SampleBatch


def pretrained_action(info, rng):
    """Sample the next image from the pretrained Gaussian (the uncorrected policy)."""
    mean, std = info["pretrained_mean"], np.asarray(info["pretrained_std"], dtype=np.float32)
    std = std.reshape(std.shape + (1,) * (mean.ndim - std.ndim))
    return (mean + std * rng.standard_normal(mean.shape)).astype(np.float32)


def run_pretrained(vec, labels, seed=0):
    rng = np.random.default_rng(seed)
    _, info = vec.reset(seed=seed, options={"label": labels})
    total = np.zeros(vec.num_envs)
    while True:
        _, r, term, _, info = vec.step(pretrained_action(info, rng))
        total += r
        if term.all():
            return total, info


def test_shipped_models_match_manifest_and_size_limit():
    manifest = read_manifest()
    for name in ("ddpm.pt", "classifier.pt", "preference.pt"):
        assert sha256_of(DATA / name) == manifest[name]["sha256"], f"{name} differs from manifest.json"
        assert (DATA / name).stat().st_size <= 5_000_000
    assert manifest["classifier.pt"]["test_accuracy"] > 0.95
    assert manifest["preference.pt"]["heldout_pair_accuracy"] > 0.8


def test_check_env_and_spaces():
    env = gym.make("ImageGen-v0", num_steps=5)
    check_env(env.unwrapped, skip_render_check=True)
    obs, info = env.reset(seed=0)
    assert obs["image"].shape == (1, 16, 16) and obs["t"] == 999 and obs["step"] == 0
    assert info["pretrained_mean"].shape == (1, 16, 16) and info["pretrained_std"] > 0


def test_pretrained_sampler_draws_the_requested_digit():
    """The uncorrected policy makes digits the classifier reads as the requested class
    (measured: 99% of 100 samples with 20 steps; chance is 10%)."""
    labels = np.arange(50) % 10
    vec = gym.make_vec("ImageGen-v0", 50, vectorization_mode="vector_entry_point")
    returns, info = run_pretrained(vec, labels)
    np.testing.assert_array_equal(info["label"], labels)
    classifier = vec.unwrapped.engine.scorer
    samples = torch.tensor(np.stack(info["sample"]))[:, None] * 2 - 1
    predicted = classifier.log_probs(samples).argmax(dim=1).numpy()
    assert (predicted == labels).mean() >= 0.9
    np.testing.assert_allclose(returns, info["score"])  # reward only at the end (kl_coef = 0)
    assert (returns <= 0).all() and np.exp(returns).mean() > 0.8


def test_episode_structure_and_reward_components():
    env = gym.make("ImageGen-v0", num_steps=6, kl_coef=0.01)
    rng = np.random.default_rng(0)
    obs, info = env.reset(seed=3, options={"label": 7})
    ts, stds, rewards = [obs["t"]], [], []
    for k in range(6):
        stds.append(info["pretrained_std"])
        obs, r, term, trunc, info = env.step(pretrained_action(info, rng))
        ts.append(obs["t"])
        rewards.append(r)
        assert term == (k == 5) and not trunc
    assert ts == [999, 832, 666, 499, 332, 166, 0]
    assert all(s > 0 for s in stds) and stds == sorted(stds, reverse=True)  # noise shrinks, never vanishes
    assert "pretrained_mean" not in info  # no next step
    assert info["label"] == 7 and info["valid"] is True
    assert info["sample"].shape == (16, 16) and 0 <= info["sample"].min() and info["sample"].max() <= 1
    assert set(info["reward_components"]) == {"kl_pretrained", "classifier"}
    assert sum(rewards) == pytest.approx(sum(info["reward_components"].values()))
    assert rewards[-1] - info["score"] == pytest.approx(rewards[-1] - info["reward_components"]["classifier"])
    with pytest.raises(EpisodeOverError):
        env.step(np.zeros((1, 16, 16), np.float32))


def test_kl_estimate_is_unbiased_for_mean_corrected_policies():
    gen = torch.Generator().manual_seed(0)
    mean, std = torch.zeros(4000, 1, 16, 16), torch.full((4000,), 0.3)
    delta = 0.05
    samples = mean + delta + std.view(-1, 1, 1, 1) * torch.randn(mean.shape, generator=gen)
    assert gaussian_kl_estimate(mean + std.view(-1, 1, 1, 1) * torch.randn(mean.shape, generator=gen), mean, std).mean() == pytest.approx(0.0, abs=0.5)
    exact = 256 * delta**2 / (2 * 0.3**2)  # ||delta||^2 / (2 std^2) = 3.56
    assert gaussian_kl_estimate(samples, mean, std).mean().item() == pytest.approx(exact, abs=0.5)


def test_kl_reward_penalises_departures_from_the_pretrained_model():
    env = gym.make("ImageGen-v0", num_steps=4, kl_coef=0.1)
    rng = np.random.default_rng(0)
    _, info = env.reset(seed=0)
    action = pretrained_action(info, rng)
    _, r_pre, *_ = env.step(action)
    env.reset(seed=0)
    _, r_far, *_ = env.step(action + 0.5)
    mean, std = info["pretrained_mean"], info["pretrained_std"]
    expected = -0.1 * (np.sum((action + 0.5 - mean) ** 2) - np.sum((action - mean) ** 2)) / (2 * std**2)
    assert r_far - r_pre == pytest.approx(expected, rel=1e-4) and expected < -3


def test_seeded_determinism_and_replay():
    rng = np.random.default_rng(1)
    actions = rng.uniform(-1, 1, (5, 1, 16, 16)).astype(np.float32)
    out = []
    for _ in range(2):
        env = gym.make("ImageGen-v0", num_steps=5)
        obs, _ = env.reset(seed=42)
        rewards = [env.step(a)[1] for a in actions]
        out.append((obs["context"], rewards, env.unwrapped.engine.sample_of(0)))
    assert out[0][0] == out[1][0] and out[0][1] == out[1][1]
    np.testing.assert_array_equal(out[0][2], out[1][2])
    np.testing.assert_array_equal(out[0][2], (np.clip(actions[-1, 0], -1, 1) + 1) / 2)  # x_0 is the last action


def test_native_vector_env_matches_single_envs():
    n, K = 3, 4
    vec = gym.make_vec("ImageGen-v0", n, vectorization_mode="vector_entry_point", num_steps=K, kl_coef=0.01)
    singles = [gym.make("ImageGen-v0", num_steps=K, kl_coef=0.01) for _ in range(n)]
    obs, info = vec.reset(seed=5)
    single_infos = []
    for i, env in enumerate(singles):
        o, inf = env.reset(seed=5 + i)
        assert o["context"] == obs["context"][i]
        np.testing.assert_array_equal(o["image"], obs["image"][i])
        single_infos.append(inf)
    np.testing.assert_allclose(info["pretrained_mean"][0], single_infos[0]["pretrained_mean"], atol=1e-5)
    rng = np.random.default_rng(0)
    for _ in range(K):
        actions = rng.uniform(-1, 1, (n, 1, 16, 16)).astype(np.float32)
        _, rewards, term, _, infos = vec.step(actions)
        for i, env in enumerate(singles):
            _, r, t, _, _ = env.step(actions[i])
            assert rewards[i] == pytest.approx(r, rel=1e-5, abs=1e-4) and term[i] == t
    assert term.all() and infos["_score"].all()
    obs, rewards, term, _, infos = vec.step(np.zeros((n, 1, 16, 16), np.float32))  # NEXT_STEP: resets, action ignored
    assert (obs["step"] == 0).all() and (rewards == 0).all() and not term.any() and infos["_pretrained_mean"].all()


def test_same_step_autoreset():
    vec = gym.make_vec("ImageGen-v0", 2, vectorization_mode="vector_entry_point", num_steps=2, autoreset_mode="SameStep")
    vec.reset(seed=0)
    vec.step(np.zeros((2, 1, 16, 16), np.float32))
    obs, _, term, _, infos = vec.step(np.zeros((2, 1, 16, 16), np.float32))
    assert term.all() and (obs["t"] == 999).all()
    assert infos["final_obs"][0]["t"] == 0 and "classifier" in infos["final_info"]["reward_components"]
    assert infos["_pretrained_mean"].all()


def test_bad_actions_and_arguments_raise_clear_errors():
    env = gym.make("ImageGen-v0", num_steps=3)
    env.reset(seed=0)
    with pytest.raises(InvalidActionError, match="shape"):
        env.step(np.zeros((16, 16), np.float32))
    with pytest.raises(InvalidActionError, match="finite"):
        env.step(np.full((1, 16, 16), np.nan, np.float32))
    with pytest.raises(InvalidActionError, match=r"\[-8.0, 8.0\]"):
        env.step(np.full((1, 16, 16), 9.0, np.float32))
    with pytest.raises(ValueError, match="classifier, jpeg_compressibility, jpeg_incompressibility, preference, discriminator"):
        gym.make("ImageGen-v0", reward="aesthetics")
    with pytest.raises(ValueError, match="eta"):
        gym.make("ImageGen-v0", eta=0.0)
    with pytest.raises(ValueError, match="num_steps"):
        gym.make("ImageGen-v0", num_steps=0)
    with pytest.raises(ValueError, match="kl_coef"):
        gym.make("ImageGen-v0", kl_coef=-1.0)
    with pytest.raises(ValueError, match="label"):
        env.reset(options={"label": 10})


def test_render_modes():
    env = gym.make("ImageGen-v0", num_steps=2, render_mode="rgb_array")
    env.reset(seed=0)
    frame = env.render()
    assert frame.shape == (128, 128, 3) and frame.dtype == np.uint8
    text = gym.make("ImageGen-v0", num_steps=2, render_mode="ansi")
    text.reset(seed=0, options={"label": 4})
    assert text.render().startswith("digit 4  step 0/2")


def test_jpeg_rewards_order_flat_noise_and_digits():
    flat = np.full((16, 16), 0.5, np.float32)
    noise = np.random.default_rng(0).random((16, 16)).astype(np.float32)
    digit = digit_images(16, "test")[0][0]
    batch = SampleBatch(samples=[flat, digit, noise])
    compress = JpegSize(-1)(batch).scores
    incompress = JpegSize(+1)(batch).scores
    assert compress[0] > compress[1] > compress[2]
    np.testing.assert_array_equal(incompress, -compress)


def test_classifier_reward_reads_real_digits():
    images, labels = digit_images(16, "test")
    scorer = make_image_reward("classifier")
    batch = SampleBatch(samples=list(images[:100]), contexts=[int(c) for c in labels[:100]])
    right = scorer(batch).scores
    wrong = scorer(SampleBatch(samples=list(images[:100]), contexts=[int(c + 1) % 10 for c in labels[:100]])).scores
    assert np.mean(np.exp(right)) > 0.9 and np.mean(right) > np.mean(wrong) + 5


def test_preference_reward_prefers_bold_clean_digits():
    images, _ = digit_images(16, "test")
    clean = images[:50]
    noisy = np.clip(clean + 0.25 * np.random.default_rng(0).standard_normal(clean.shape), 0, 1).astype(np.float32)
    faint = clean * 0.5
    scorer = make_image_reward("preference")
    r = {name: scorer(SampleBatch(samples=list(x))).scores for name, x in [("clean", clean), ("noisy", noisy), ("faint", faint)]}
    assert (r["clean"] > r["noisy"]).mean() > 0.9 and (r["clean"] > r["faint"]).mean() > 0.9


def test_discriminator_reward_trains_online_and_separates_real_from_noise():
    scorer = make_image_reward("discriminator", {"batch_size": 32, "steps": 20, "seed": 0})
    images, _ = digit_images(16, "test")
    noise = np.random.default_rng(0).random((32, 16, 16)).astype(np.float32)
    for _ in range(5):
        scorer(SampleBatch(samples=list(noise)))
    real = scorer.log_prob_real(torch.tensor(images[:32])[:, None] * 2 - 1)
    fake = scorer.log_prob_real(torch.tensor(noise)[:, None] * 2 - 1)
    assert scorer.updates == 5 and real.mean() > fake.mean() + 1


@pytest.mark.parametrize("reward", list(IMAGE_REWARDS))
def test_every_reward_runs_an_episode_with_logged_components(reward):
    env = gym.make("ImageGen-v0", reward=reward, num_steps=2, kl_coef=0.001)
    _, info = env.reset(seed=0)
    rng = np.random.default_rng(0)
    total = 0.0
    for _ in range(2):
        _, r, term, _, info = env.step(pretrained_action(info, rng))
        total += r
    assert term and set(info["reward_components"]) == {"kl_pretrained", reward}
    assert total == pytest.approx(sum(info["reward_components"].values()))
    assert len(env.unwrapped.provenance["hash"]) == 16


def test_provenance_changes_with_what_is_scored():
    a = gym.make("ImageGen-v0").unwrapped.provenance
    b = gym.make("ImageGen-v0", reward="jpeg_compressibility").unwrapped.provenance
    c = gym.make("ImageGen-v0", num_steps=10).unwrapped.provenance
    d = gym.make("ImageGen-v0", render_mode="ansi").unwrapped.provenance
    assert len({a["hash"], b["hash"], c["hash"]}) == 3 and a["hash"] == d["hash"]
    assert a["task"]["data"]["denoiser"] == read_manifest()["ddpm.pt"]["sha256"][:16]
