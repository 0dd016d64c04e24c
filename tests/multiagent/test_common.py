"""Behaviour shared by every game: errors, memoised spaces, seeding, rendering, provenance."""

from __future__ import annotations

import numpy as np
import pytest

from genenvs.core.errors import EpisodeOverError, InvalidActionError
from genenvs.multiagent import GAMES, adversarial_v0, negotiation_v0, referential_v0
from genenvs.multiagent.base import ILLEGAL_MOVE_REWARD


def play_out(env, seed=0):
    """Random legal play to the end; returns the final infos and summed rewards per agent."""
    env.reset(seed=seed)
    for k, agent in enumerate(env.possible_agents):
        env.action_space(agent).seed(seed + k)
    totals = dict.fromkeys(env.possible_agents, 0.0)
    infos = {}
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        totals[agent] += reward
        if terminated or truncated:
            infos[agent] = info
            env.step(None)
        else:
            env.step(env.action_space(agent).sample(obs["action_mask"]))
    return infos, totals


@pytest.mark.parametrize("name", sorted(GAMES))
def test_spaces_are_memoised_per_agent(name):
    env = GAMES[name].raw_env()
    for agent in env.possible_agents:
        assert env.observation_space(agent) is env.observation_space(agent)
        assert env.action_space(agent) is env.action_space(agent)
    with pytest.raises(ValueError, match="unknown agent"):
        env.action_space("nobody")


@pytest.mark.parametrize("name", sorted(GAMES))
def test_observations_belong_to_their_spaces_and_mask_only_the_mover(name):
    env = GAMES[name].raw_env()
    env.reset(seed=1)
    for _ in range(6):
        mover = env.agent_selection
        for agent in env.possible_agents:
            obs = env.observe(agent)
            assert env.observation_space(agent).contains(obs)
            assert obs["action_mask"].any() == (agent == mover)
        env.step(int(np.flatnonzero(env.observe(mover)["action_mask"])[-1]))
        if not env.agents or all(env.terminations.values()):
            break


@pytest.mark.parametrize("name", sorted(GAMES))
def test_reward_components_add_up_to_each_return(name):
    for seed in range(3):
        infos, totals = play_out(GAMES[name].env(), seed)
        for agent, info in infos.items():
            assert sum(info["reward_components"].values()) == pytest.approx(totals[agent])


@pytest.mark.parametrize("name", sorted(GAMES))
def test_illegal_and_malformed_actions_raise_on_the_raw_env(name):
    env = GAMES[name].raw_env()
    env.reset(seed=0)
    agent = env.agent_selection
    mask = env.observe(agent)["action_mask"]
    illegal = np.flatnonzero(mask == 0)
    assert illegal.size, "every game masks something on its first move"
    with pytest.raises(InvalidActionError, match="not legal now"):
        env.step(int(illegal[0]))
    with pytest.raises(InvalidActionError, match="outside the action space"):
        env.step(env.action_space(agent).n)
    with pytest.raises(InvalidActionError, match="integer"):
        env.step(0.5)
    env.step(np.int32(np.flatnonzero(mask)[0]))  # numpy integers are fine


@pytest.mark.parametrize("name", sorted(GAMES))
def test_wrapped_env_ends_the_game_on_an_illegal_move(name):
    env = GAMES[name].env()
    env.reset(seed=0)
    agent = env.agent_selection
    illegal = int(np.flatnonzero(env.observe(agent)["action_mask"] == 0)[0])
    env.step(illegal)
    assert all(env.terminations.values())
    assert env.unwrapped._cumulative_rewards[agent] == ILLEGAL_MOVE_REWARD


def test_stepping_a_finished_game_raises():
    env = negotiation_v0.raw_env()
    play_out(env)
    assert env.agents == []
    with pytest.raises(EpisodeOverError, match="reset"):
        env.step(0)


@pytest.mark.parametrize(
    ("module", "kwargs", "message"),
    [
        (adversarial_v0, {"domain": "images"}, "molecule"),
        (adversarial_v0, {"n_real": 0}, "n_real"),
        (referential_v0, {"referents": "shapes"}, "digits"),
        (referential_v0, {"n_candidates": 11}, "n_candidates"),
        (referential_v0, {"length_cost": -1.0}, "length_cost"),
        (negotiation_v0, {"protocol": "english"}, "proposals"),
        (negotiation_v0, {"max_turns": 0}, "max_turns"),
        (negotiation_v0, {"render_mode": "human"}, "ansi"),
    ],
)
def test_bad_constructor_arguments_name_the_problem(module, kwargs, message):
    with pytest.raises(ValueError, match=message):
        module.raw_env(**kwargs)


@pytest.mark.parametrize("name", sorted(GAMES))
def test_ansi_render_is_a_transcript(name):
    env = GAMES[name].env(render_mode="ansi")
    play_out(env)
    text = env.render()
    assert isinstance(text, str) and text.startswith(name)
    assert len(text.splitlines()) >= 3


def test_render_without_mode_warns_and_returns_none():
    env = referential_v0.raw_env()
    env.reset(seed=0)
    with pytest.warns(UserWarning, match="render_mode"):
        assert env.render() is None


def test_provenance_hash_tracks_what_changes_rewards():
    a = referential_v0.raw_env().provenance
    b = referential_v0.raw_env(render_mode="ansi").provenance
    c = referential_v0.raw_env(length_cost=0.05).provenance
    assert a["hash"] == b["hash"] != c["hash"]
    assert a["env_id"] == "referential_v0"
    assert negotiation_v0.raw_env().provenance["hash"] != negotiation_v0.raw_env(protocol="tokens").provenance["hash"]


def test_unseeded_reset_continues_the_random_stream():
    env = negotiation_v0.raw_env()
    env.reset(seed=5)
    first = env.counts.copy(), {a: v.copy() for a, v in env.values.items()}
    draws = set()
    for _ in range(20):
        env.reset()
        draws.add((tuple(env.counts), tuple(env.values["negotiator_0"])))
    assert len(draws) > 1
    env.reset(seed=5)
    assert np.array_equal(env.counts, first[0])
