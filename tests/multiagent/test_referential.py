"""referential_v0: a speaker and a listener who share a code always succeed."""

from __future__ import annotations

import numpy as np
import pytest

from genenvs.multiagent import referential_v0
from genenvs.multiagent.referential_v0 import LISTENER, SPEAKER
from genenvs.multiagent.sources import load_referents


def canonical_rank(rows: np.ndarray, row: int) -> int:
    """Rank of ``rows[row]`` when the rows are sorted lexicographically: an order both agents
    can compute from what they see, whatever order they see the candidates in."""
    order = sorted(range(len(rows)), key=lambda i: rows[i].tobytes())
    return order.index(row)


def play(env, seed, speaker, listener):
    env.reset(seed=seed)
    info, totals = {}, {SPEAKER: 0.0, LISTENER: 0.0}
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        totals[agent] += reward
        if terminated or truncated:
            env.step(None)
        else:
            env.step(speaker(obs) if agent == SPEAKER else listener(obs))
    return totals, info


def coding_speaker(obs):
    """Says the target's canonical rank as symbol rank + 1, then ends the message."""
    if obs["action_mask"][0]:  # something was said already
        return 0
    return canonical_rank(obs["observation"], 0) + 1


def decoding_listener(obs):
    rows = obs["observation"]
    rank = int(obs["message"][0]) - 1
    return next(i for i in range(len(rows)) if canonical_rank(rows, i) == rank)


@pytest.mark.parametrize("referents", ["digits", "molecules"])
def test_listener_always_succeeds_when_the_message_encodes_the_target(referents):
    env = referential_v0.env(referents=referents, n_candidates=5, length_cost=0.05, max_message_length=3)
    for seed in range(30):
        totals, info = play(env, seed, coding_speaker, decoding_listener)
        assert info["success"] and info["message_length"] == 1
        assert totals[SPEAKER] == totals[LISTENER] == pytest.approx(1.0 - 0.05)
        assert info["reward_components"] == {"success": 1.0, "length_cost": pytest.approx(-0.05)}


def test_an_uninformative_message_leaves_the_listener_at_chance():
    env = referential_v0.env(n_candidates=4)
    successes = [play(env, seed, lambda obs: 1, lambda obs: 0)[1]["success"] for seed in range(400)]
    assert 0.18 < np.mean(successes) < 0.32  # chance is 1/4


def test_listener_sees_the_speakers_candidates_in_its_own_order():
    env = referential_v0.raw_env(n_candidates=6)
    env.reset(seed=11)
    speaker_rows = env.observe(SPEAKER)["observation"]
    listener_rows = env.observe(LISTENER)["observation"]
    as_bytes = lambda rows: sorted(r.tobytes() for r in rows)  # noqa: E731
    assert as_bytes(speaker_rows) == as_bytes(listener_rows)
    assert np.array_equal(listener_rows[env.target_index], speaker_rows[0])


def test_digit_candidates_are_different_digits():
    digits = load_referents("digits")
    rng = np.random.default_rng(0)
    for _ in range(50):
        rows, names = digits.draw(rng, 10)
        assert sorted(int(n.split()[1]) for n in names) == list(range(10))
        assert rows.dtype == np.float32 and rows.min() >= 0 and rows.max() <= 1


def test_message_rules_and_length_cost():
    env = referential_v0.raw_env(vocab_size=3, max_message_length=3, length_cost=0.2)
    env.reset(seed=0)
    assert env.observe(SPEAKER)["action_mask"].tolist() == [0, 1, 1, 1]
    for symbol in (3, 1, 2):
        env.step(symbol)
    assert env.agent_selection == LISTENER  # the message ended at max_message_length
    assert env.observe(LISTENER)["message"].tolist() == [3, 1, 2]
    env.step(env.target_index)
    assert env.rewards == {SPEAKER: pytest.approx(1 - 0.6), LISTENER: pytest.approx(1 - 0.6)}
