"""The generic environments on a toy task: dynamics, errors, views, vector semantics."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from genenvs.core import EpisodeOverError, InvalidActionError
from tests.core.toy import make_toy, make_toy_vec


def play(env, actions, seed=0):
    obs, info = env.reset(seed=seed)
    total, done = 0.0, False
    for a in actions:
        obs, r, term, trunc, info = env.step(a)
        total += r
        done = term or trunc
        if done:
            break
    return total, done, info


def test_toy_env_passes_gymnasium_checker():
    check_env(make_toy(), skip_render_check=True)
    check_env(make_toy(granularity="sample"), skip_render_check=True)


def test_episode_ends_on_end_token_and_scores_sample():
    env = make_toy(length_cost=0.1)
    obs, _ = env.reset(seed=1)
    target = int(obs["context"])
    letter = "abc"[target]
    sample = letter + ("a" if letter != "a" else "c")
    total, done, info = play(env, env.unwrapped.encode(sample), seed=1)
    assert done and info["sample"] == sample
    assert info["valid"] is True
    assert info["reward_components"]["target_fraction"] == pytest.approx(0.5)
    assert info["reward_components"]["length_penalty"] == pytest.approx(-0.2)
    assert total == pytest.approx(sum(info["reward_components"].values()))


def test_length_limit_terminates_and_scores():
    env = make_toy(max_length=3)
    total, done, info = play(env, [1, 1, 1], seed=0)
    assert done and info["sample"] == "aaa" and info["length"] == 3


def test_invalid_sample_gets_defined_reward():
    env = make_toy()
    total, done, info = play(env, [1, 2, 0])  # "ab" ends in b: invalid
    assert done and info["valid"] is False
    assert total == pytest.approx(-1.0)


def test_masked_action_terminates_invalid_or_raises():
    env = make_toy()
    env.reset(seed=0)
    env.step(3)
    assert not env.action_masks()[3]  # "cc" forbidden
    _, r, term, _, info = env.step(3)
    assert term and info["valid"] is False and info["invalid_action"] is True and r == -1.0

    strict = make_toy(on_invalid_action="raise")
    strict.reset(seed=0)
    strict.step(3)
    with pytest.raises(InvalidActionError, match="masked"):
        strict.step(3)


def test_end_token_masked_before_min_length():
    env = make_toy()
    _, info = env.reset(seed=0)
    assert not info["action_mask"][0] and info["action_mask"][1:].all()


@pytest.mark.parametrize("bad", [7, -1, 1.5, np.array([1, 2])])
def test_bad_actions_raise_clear_errors(bad):
    env = make_toy()
    env.reset(seed=0)
    with pytest.raises(InvalidActionError):
        env.step(bad)


def test_step_after_termination_raises():
    env = make_toy()
    play(env, [1, 0])
    with pytest.raises(EpisodeOverError, match="reset"):
        env.step(1)


def test_unknown_kwarg_values_raise():
    with pytest.raises(ValueError, match="granularity"):
        make_toy(granularity="paragraph")
    with pytest.raises(ValueError, match="render_mode"):
        make_toy(render_mode="human")
    with pytest.raises(ValueError, match="on_invalid_action"):
        make_toy(on_invalid_action="ignore")
    with pytest.raises(ValueError, match="autoreset_mode"):
        make_toy_vec(4, autoreset_mode="sometimes")


def test_sample_view_gives_the_token_return():
    token_env, sample_env = make_toy(length_cost=0.05), make_toy(granularity="sample", length_cost=0.05)
    for seed in range(5):
        sample_env.reset(seed=seed)
        token_env.reset(seed=seed)
        action = sample_env.unwrapped.encode("acab")
        _, r_sample, term, _, info_s = sample_env.step(action)
        r_token, _, info_t = play(token_env, token_env.unwrapped.encode("acab"), seed=seed)
        assert term and r_sample == pytest.approx(r_token)
        assert info_s["reward_components"] == pytest.approx(info_t["reward_components"])


def test_text_actions_and_untokenizable_text():
    env = make_toy(granularity="sample", action_type="text")
    assert isinstance(env.action_space, gym.spaces.Text)
    env.reset(seed=0)
    _, _, _, _, info = env.step("aca")
    assert info["sample"] == "aca" and info["valid"]
    env.reset(seed=0)
    _, r, _, _, info = env.step("xyz")
    assert info["valid"] is False and info["untokenizable"] and r == -1.0


def run_vector(env, actions_per_step, seed):
    env.reset(seed=seed)
    rewards, terms = [], []
    for actions in actions_per_step:
        _, r, term, trunc, _ = env.step(actions)
        rewards.append(r)
        terms.append(term)
    return np.array(rewards), np.array(terms)


@pytest.mark.parametrize("mode", [gym.vector.AutoresetMode.NEXT_STEP, gym.vector.AutoresetMode.SAME_STEP])
def test_native_vector_env_matches_sync_vector_env(mode):
    n, steps = 5, 40
    rng = np.random.default_rng(0)
    actions = rng.integers(0, 4, size=(steps, n))
    native = make_toy_vec(n, length_cost=0.01, autoreset_mode=mode)
    sync = gym.vector.SyncVectorEnv([lambda: make_toy(length_cost=0.01) for _ in range(n)], autoreset_mode=mode)
    r_native, t_native = run_vector(native, actions, seed=3)
    r_sync, t_sync = run_vector(sync, actions, seed=3)
    np.testing.assert_allclose(r_native, r_sync)
    np.testing.assert_array_equal(t_native, t_sync)
    assert native.metadata["autoreset_mode"] == mode


def test_vector_info_carries_final_samples_and_masks():
    env = make_toy_vec(3)
    env.reset(seed=0)
    _, _, _, _, info = env.step(np.array([1, 2, 3]))
    assert info["action_mask"].shape == (3, 4)
    _, _, term, _, info = env.step(np.array([0, 0, 1]))
    assert term.tolist() == [True, True, False]
    assert info["_sample"].tolist() == [True, True, False]
    assert info["sample"][0] == "a" and info["valid"][0] and not info["valid"][1]


def test_sample_vector_env_scores_a_batch():
    env = make_toy_vec(4, granularity="sample")
    env.reset(seed=0)
    single = make_toy(granularity="sample")
    actions = np.stack([single.unwrapped.encode(s) for s in ["a", "bb", "cac", "abca"]])
    _, r, term, _, info = env.step(actions)
    assert term.all() and info["sample"].tolist() == ["a", "bb", "cac", "abca"]
    assert info["valid"].tolist() == [True, False, True, True]


def test_render_ansi_shows_sample_and_score():
    env = make_toy(render_mode="ansi")
    play(env, [1, 3, 0])
    text = env.render()
    assert "a c" in text and "score=" in text


def test_provenance_hash_tracks_scoring_changes():
    a, b, c = make_toy(), make_toy(), make_toy(length_cost=0.1)
    d = make_toy(render_mode="ansi")
    assert a.unwrapped.provenance["hash"] == b.unwrapped.provenance["hash"] == d.unwrapped.provenance["hash"]
    assert a.unwrapped.provenance["hash"] != c.unwrapped.provenance["hash"]
    assert make_toy(max_length=5).unwrapped.provenance["hash"] != a.unwrapped.provenance["hash"]


@pytest.mark.parametrize("env_id", ["CodeDSL-v0", "NASGen-v0"])
def test_incremental_grammar_state_gives_the_masks_of_the_whole_buffers(env_id):
    """The engine's grammar_state, told each appended token and reset, agrees with
    ``task.action_mask`` recomputed from the token buffers, along random legal episodes."""
    env = gym.make_vec(env_id, 16, vectorization_mode="vector_entry_point").unwrapped
    ep = env._episodes
    assert ep.grammar_state is not None
    rng = np.random.default_rng(0)
    _, info = env.reset(seed=0)
    for _ in range(60):
        masks = info["action_mask"]
        reference = np.array(env.task.action_mask(ep.tokens, ep.lengths, ep.contexts), dtype=bool)
        reference[:, ep.end_id] &= ep.lengths >= env.task.min_length
        np.testing.assert_array_equal(masks, reference)
        actions = np.array([rng.choice(np.flatnonzero(m)) for m in masks])
        _, _, _, _, info = env.step(actions)
