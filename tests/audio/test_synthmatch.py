"""SynthMatch-v0: the synthesiser, the spectral reward and the environments."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401
from genenvs.audio.env import SynthMatchEnv, SynthMatchVectorEnv
from genenvs.audio.spectral import SpectralDistance
from genenvs.audio.synth import SYNTH_PARAMS, Synth, adsr
from genenvs.core.errors import EpisodeOverError, InvalidActionError


def test_synth_is_deterministic_bounded_and_follows_its_parameters():
    synth = Synth()
    u = np.random.default_rng(0).uniform(-1, 1, (4, 10))
    a, b = synth.render(u), synth.render(u)
    assert a.shape == (4, 8000) and a.dtype == torch.float32 and torch.equal(a, b)
    assert torch.allclose(synth.render(u[1:2])[0], a[1], atol=1e-6)  # a row does not depend on its batch
    # Pitch: a pure sine at u_pitch = 0 is MIDI 63 (311 Hz); its spectrum peaks there.
    sine = np.array([[0.0, 1, -1, -1, -1, -1, 1, -1, 1, -1]])
    audio = synth.render(sine)[0].numpy()
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio))))
    assert abs(np.argmax(spectrum) * 16000 / len(audio) - 440 * 2 ** ((63 - 69) / 12)) < 3
    # Silence when every oscillator is off.
    silent = sine.copy()
    silent[0, 1] = -1
    assert synth.render(silent).abs().max() == 0
    physical = synth.physical(np.zeros(10))
    assert physical["pitch"][0] == 63.0 and physical["cutoff"][0] == pytest.approx(np.sqrt(200 * 7000))
    assert [p.name for p in SYNTH_PARAMS][:4] == ["pitch", "sine", "sawtooth", "square"]


def test_adsr_envelope_shape():
    t = torch.tensor([0.0, 0.005, 0.01, 0.06, 0.2, 0.3, 0.35, 0.5])
    env = adsr(t, torch.tensor(0.3), torch.tensor(0.01), torch.tensor(0.05), torch.tensor(0.5), torch.tensor(0.1))
    assert env.tolist() == pytest.approx([0.0, 0.5, 1.0, 0.5, 0.5, 0.5, 0.25, 0.0])


def test_spectral_distance_is_zero_for_identical_sounds():
    synth, spectral = Synth(), SpectralDistance(16000)
    audio = synth.render(np.random.default_rng(1).uniform(-1, 1, (3, 10)))
    d = spectral.distance(spectral.features(audio), spectral.features(audio.clone()))
    assert d["log_stft"].tolist() == [0.0] * 3 and d["log_mel"].tolist() == [0.0] * 3
    other = spectral.distance(spectral.features(audio), spectral.features(audio.roll(1, 0)))
    assert (other["log_stft"] > 0.1).all() and (other["log_mel"] > 0.1).all()


def test_check_env_one_shot_and_k_steps():
    check_env(SynthMatchEnv(), skip_render_check=True)
    check_env(SynthMatchEnv(num_steps=3), skip_render_check=True)


def test_true_parameters_score_zero_and_reward_falls_with_parameter_distance():
    env = gym.make("SynthMatch-v0")
    rng = np.random.default_rng(0)
    scales = [0.0, 0.05, 0.2, 0.6]
    rewards = np.zeros((6, len(scales)))
    for i in range(6):
        obs, _ = env.reset(seed=i)
        target = env.unwrapped._episodes.target[0].copy()
        direction = rng.normal(size=10)
        direction /= np.abs(direction).max()
        for j, s in enumerate(scales):
            env.reset(seed=i)
            action = np.clip(target + s * direction, -1, 1).astype(np.float32)
            _, rewards[i, j], term, _, info = env.step(action)
            assert term and info["valid"]
            assert info["param_error"] == pytest.approx(np.abs(action - target).mean(), abs=1e-6)
    assert (rewards[:, 0] == 0.0).all()  # the true parameters reproduce the target exactly
    assert (rewards[:, 1:] < 0).all()
    mean = rewards.mean(axis=0)
    assert mean[0] > mean[1] > mean[2] > mean[3]


def test_final_info_and_target_option():
    env = gym.make("SynthMatch-v0")
    u = np.linspace(-0.9, 0.9, 10).astype(np.float32)
    obs, _ = env.reset(seed=0, options={"target_params": u})
    assert obs["target"].shape == (64, 32) and obs["target"].dtype == np.float32
    _, reward, _, _, info = env.step(u)
    assert reward == 0.0 and info["score"] == 0.0 and info["distance"] == 0.0
    assert info["reward_components"] == {"log_stft": 0.0, "log_mel": 0.0}
    assert info["sample"].shape == (8000,) and info["params"] == pytest.approx(info["target_params"])
    assert set(info["param_errors"]) == {p.name for p in SYNTH_PARAMS}
    with pytest.raises(EpisodeOverError):
        env.step(u)
    with pytest.raises(ValueError, match="target_params"):
        env.reset(options={"target_params": np.zeros(3)})


def test_invalid_actions_raise():
    env = gym.make("SynthMatch-v0")
    env.reset(seed=0)
    with pytest.raises(InvalidActionError, match="shape"):
        env.step(np.zeros(9, dtype=np.float32))
    with pytest.raises(InvalidActionError, match=r"\[-1, 1\]"):
        env.step(np.full(10, 1.5, dtype=np.float32))
    with pytest.raises(InvalidActionError, match="finite"):
        env.step(np.full(10, np.nan, dtype=np.float32))
    with pytest.raises(ValueError, match="num_steps"):
        SynthMatchEnv(num_steps=0)


def test_k_step_return_is_the_distance_decrease():
    env = gym.make("SynthMatch-v0", num_steps=3, max_delta=0.5)
    obs, _ = env.reset(seed=4)
    assert set(obs) == {"target", "current", "params", "step"} and obs["step"] == 0
    assert np.allclose(obs["params"], 0.0)
    ep = env.unwrapped._episodes
    start = ep.last_distance["log_stft"][0] + ep.last_distance["log_mel"][0]
    target = ep.target[0].copy()
    total = 0.0
    for k in range(3):
        step = np.clip((target - obs["params"]) / 0.5, -1, 1).astype(np.float32)  # head straight for the target
        obs, reward, term, _, info = env.step(step)
        total += reward
        assert term == (k == 2)
    assert total == pytest.approx(sum(info["reward_components"].values()))
    assert total == pytest.approx(start - info["distance"])
    assert info["distance"] == pytest.approx(0.0, abs=1e-6)  # within reach in 3 steps of 0.5


def test_determinism_and_native_vector_env_matches_sync():
    rng = np.random.default_rng(0)
    actions = rng.uniform(-1, 1, (5, 3, 10)).astype(np.float32)
    out = []
    for mode in ("vector_entry_point", "sync"):
        envs = gym.make_vec("SynthMatch-v0", 3, vectorization_mode=mode)
        obs, _ = envs.reset(seed=11)
        rewards = []
        for a in actions:
            obs, r, term, trunc, info = envs.step(a)
            rewards.append(r)
        out.append((np.array(rewards), obs["target"]))
    assert isinstance(gym.make_vec("SynthMatch-v0", 2).unwrapped, SynthMatchVectorEnv)
    assert np.allclose(out[0][0], out[1][0], atol=1e-5)
    assert np.allclose(out[0][1], out[1][1], atol=1e-3)  # logs of near-silent bins amplify float noise
    env = SynthMatchEnv()
    runs = [(env.reset(seed=5)[0]["target"], env.step(actions[0, 0])[1]) for _ in range(2)]
    assert np.array_equal(runs[0][0], runs[1][0]) and runs[0][1] == runs[1][1]


def test_vector_env_same_step_autoreset_and_infos():
    envs = SynthMatchVectorEnv(2, autoreset_mode="SameStep")
    envs.reset(seed=0)
    obs, rewards, term, trunc, info = envs.step(np.zeros((2, 10), dtype=np.float32))
    assert term.all() and "final_info" in info and info["final_info"]["sample"].shape == (2, 8000)
    assert np.allclose(info["final_info"]["score"], rewards)


def test_render_and_provenance():
    env = gym.make("SynthMatch-v0", render_mode="rgb_array")
    env.reset(seed=0)
    assert env.render().shape == (256, 128, 3)
    env.step(np.zeros(10, dtype=np.float32))
    assert env.render().shape == (256, 260, 3)
    ansi = gym.make("SynthMatch-v0", render_mode="ansi")
    ansi.reset(seed=0)
    assert ansi.render().startswith("target : pitch=")
    a = gym.make("SynthMatch-v0").unwrapped.provenance
    b = gym.make("SynthMatch-v0", num_steps=4).unwrapped.provenance
    assert a["hash"] != b["hash"] and a["env_id"] == "SynthMatch-v0"
