"""AudioGen-v0: the RL Tuner environment, its prior and its rendering."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401  (registers the environments)
from genenvs.audio.melody import events_from_names, events_to_actions
from genenvs.audio.prior import load_melodies, load_prior, melody_log_prob, sample_melodies
from genenvs.audio.rewards import RULE_NAMES, music_theory_rewards
from genenvs.core.errors import EpisodeOverError, InvalidActionError

SCALE = "C4 - D4 - E4 - F4 - G4 - A4 - B4 - C5 - B4 - A4 - G4 - F4 - E4 - D4 - C4 - - -"


def play(env, ids, seed=0):
    obs, info = env.reset(seed=seed)
    total, rewards = 0.0, []
    for a in ids:
        obs, r, term, trunc, info = env.step(int(a))
        rewards.append(r)
        total += r
        if term:
            break
    return total, rewards, info, term


def test_check_env_both_granularities():
    check_env(gym.make("AudioGen-v0", render_audio=False).unwrapped, skip_render_check=True)
    check_env(gym.make("AudioGen-v0", granularity="sample", render_audio=False).unwrapped, skip_render_check=True)


def test_episode_is_exactly_32_steps_and_end_is_masked():
    env = gym.make("AudioGen-v0", render_audio=False)
    _, info = env.reset(seed=0)
    assert env.action_space.n == 39 and not info["action_mask"][0] and info["action_mask"][1:].all()
    rng = np.random.default_rng(0)
    for t in range(32):
        _, _, term, _, info = env.step(int(rng.integers(1, 39)))
        assert term == (t == 31)
    assert info["valid"] and len(info["sample"]) == 32
    with pytest.raises(EpisodeOverError):
        env.step(1)
    env.reset(seed=0)
    _, _, term, _, info = env.step(0)  # <end> is illegal: the melody is invalid
    assert term and not info["valid"] and info.get("invalid_action")
    strict = gym.make("AudioGen-v0", render_audio=False, on_invalid_action="raise")
    strict.reset(seed=0)
    with pytest.raises(InvalidActionError, match="masked"):
        strict.step(0)


def test_reward_is_note_rnn_log_prob_plus_rules_over_c():
    c = 0.5
    env = gym.make("AudioGen-v0", c=c, render_audio=True)
    ids = env.unwrapped.encode(SCALE)
    total, rewards, info, term = play(env, ids)
    comps = info["reward_components"]
    assert term and set(comps) == {"kl_prior", *RULE_NAMES}
    assert total == pytest.approx(sum(comps.values()))
    events = events_from_names(SCALE)
    raw = music_theory_rewards([events])
    for name in RULE_NAMES:
        assert comps[name] == pytest.approx(raw[name].sum() / c), name
    assert comps["kl_prior"] == pytest.approx(melody_log_prob(load_prior(), events_to_actions(events)[None])[0], rel=1e-5)
    assert info["score"] == comps["unique_extrema"]
    # Per-step rewards are dense: the first step already carries the tonic bonus.
    assert rewards[0] > 0
    # info carries the notes, the sound and the sample.
    assert info["sample"] == events and info["notes"] == SCALE
    assert info["audio"].dtype == np.float32 and info["audio"].shape == (96000,) and info["sample_rate"] == 16000


def test_c_and_rules_and_kl_coef_kwargs():
    ids = gym.make("AudioGen-v0").unwrapped.encode(SCALE)
    _, _, base, _ = play(gym.make("AudioGen-v0", render_audio=False), ids)
    _, _, scaled, _ = play(gym.make("AudioGen-v0", c=2.0, render_audio=False), ids)
    assert scaled["reward_components"]["tonic"] == pytest.approx(base["reward_components"]["tonic"] / 4)
    _, _, only, _ = play(gym.make("AudioGen-v0", rules=["tonic"], kl_coef=0.0, render_audio=False), ids)
    assert only["reward_components"] == {"tonic": 30.0, "unique_extrema": 0.0}
    with pytest.raises(ValueError, match="valid rules: in_key, tonic"):
        gym.make("AudioGen-v0", rules=["key"])
    with pytest.raises(ValueError, match="c must be > 0"):
        gym.make("AudioGen-v0", c=0)


def test_determinism_and_native_vector_env_matches_sync():
    rng = np.random.default_rng(3)
    actions = rng.integers(1, 39, (40, 4))
    results = []
    for mode in ("vector_entry_point", "sync"):
        envs = gym.make_vec("AudioGen-v0", 4, vectorization_mode=mode, render_audio=False)
        envs.reset(seed=7)
        rewards = np.array([envs.step(a)[1] for a in actions])
        results.append(rewards)
    assert type(gym.make_vec("AudioGen-v0", 2)).__name__ == "TokenVectorEnv"
    assert np.allclose(results[0], results[1], atol=1e-5)
    env = gym.make("AudioGen-v0", render_audio=False)
    first = play(env, actions[:32, 0])[1]
    again = play(env, actions[:32, 0])[1]
    assert first == again


def test_sample_level_view_gives_the_token_level_return():
    token_env = gym.make("AudioGen-v0", render_audio=False)
    ids = token_env.unwrapped.encode(SCALE)
    total = play(token_env, ids)[0]
    sample_env = gym.make("AudioGen-v0", granularity="sample", render_audio=False)
    sample_env.reset(seed=0)
    _, reward, term, _, info = sample_env.step(sample_env.unwrapped.encode(events_from_names(SCALE)))
    assert term and reward == pytest.approx(total) and info["valid"]
    text_env = gym.make("AudioGen-v0", granularity="sample", action_type="text", render_audio=False)
    text_env.reset(seed=0)
    assert text_env.step(SCALE)[1] == pytest.approx(total)
    sample_env.reset(seed=0)
    short = np.full(32, 39)
    short[:4] = ids[:4]
    _, reward, _, _, info = sample_env.step(short)  # stops after 4 steps: not a melody
    assert not info["valid"]


def test_render_modes_and_provenance():
    env = gym.make("AudioGen-v0", render_mode="rgb_array", render_audio=False)
    env.reset(seed=0)
    env.step(15)
    assert env.render().shape == (288, 384, 3)
    ansi = gym.make("AudioGen-v0", render_mode="ansi", render_audio=False)
    ansi.reset(seed=0)
    ansi.step(15)
    ansi.step(2)
    assert ansi.render() == "C4 -"
    a = gym.make("AudioGen-v0").unwrapped.provenance
    b = gym.make("AudioGen-v0", c=1.0).unwrapped.provenance
    assert a["hash"] != b["hash"] and a["step_rewards"][0]["params"]["beta"] == 1.0


def test_audio_is_opt_in_and_outside_the_provenance_hash():
    ids = gym.make("AudioGen-v0").unwrapped.encode(SCALE)
    assert "audio" not in play(gym.make("AudioGen-v0"), ids)[2]
    display = {"render_audio": True, "sample_rate": 8000, "qpm": 120}
    for granularity in ("token", "sample"):
        plain = gym.make("AudioGen-v0", granularity=granularity).unwrapped.provenance
        shown = gym.make("AudioGen-v0", granularity=granularity, **display).unwrapped.provenance
        assert shown["hash"] == plain["hash"] and "render_audio" not in shown["kwargs"]
    vec = gym.make_vec("AudioGen-v0", 2, vectorization_mode="vector_entry_point", **display)
    assert vec.unwrapped.provenance["hash"] == gym.make_vec("AudioGen-v0", 2, vectorization_mode="vector_entry_point").unwrapped.provenance["hash"]


def test_prior_prefers_corpus_melodies_to_random_ones():
    model = load_prior()
    test = load_melodies("test")
    rng = np.random.default_rng(0)
    corpus = melody_log_prob(model, test[:200])
    random = melody_log_prob(model, rng.integers(0, 38, (200, 32)))
    shuffled = melody_log_prob(model, rng.permuted(test[:200], axis=1))
    assert corpus.mean() > shuffled.mean() + 20 > random.mean() + 40
    assert (corpus > np.median(random)).all()
    samples = sample_melodies(model, 16, seed=0)
    assert samples.shape == (16, 32) and samples.min() >= 0 and samples.max() < 38
