"""negotiation_v0: Deal or No Deal instances, dialogue rules and the agreement payoff."""

from __future__ import annotations

import numpy as np
import pytest

from genenvs.multiagent import negotiation_v0
from genenvs.multiagent.negotiation_v0 import (
    AGENTS,
    SELECTION,
    action_division,
    allowed_counts,
    allowed_value_pairs,
    division_action,
)

A, B = AGENTS


def talk_then_write(env, seed, share_0, share_1):
    """The opener proposes, the other calls <selection>; then each writes its share."""
    env.reset(seed=seed)
    opener = env.agent_selection
    env.step(division_action(share_0 if opener == A else share_1))
    env.step(SELECTION)
    env.step(division_action(share_0))
    env.step(division_action(share_1))
    return env


def test_compatible_divisions_pay_each_negotiator_its_share():
    env = negotiation_v0.raw_env()
    for seed in range(20):
        env.reset(seed=seed)
        counts = env.counts.copy()
        share_0 = np.array([counts[0], 0, counts[2] // 2])
        talk_then_write(env, seed, share_0, counts - share_0)
        assert all(env.terminations.values())
        values = env.values
        assert env.rewards[A] == float(values[A] @ share_0)
        assert env.rewards[B] == float(values[B] @ (counts - share_0))
        assert env.infos[A]["agreement"] and env.infos[B]["divisions"][A] == share_0.tolist()


def test_incompatible_divisions_pay_nothing():
    env = negotiation_v0.raw_env()
    for seed in range(20):
        env.reset(seed=seed)
        counts = env.counts.copy()
        talk_then_write(env, seed, counts, counts)  # both claim everything
        assert env.rewards == {A: 0.0, B: 0.0}
        assert not env.infos[A]["agreement"]
        talk_then_write(env, seed, np.zeros(3, int), np.zeros(3, int))  # nobody takes anything
        assert env.rewards == {A: 0.0, B: 0.0}


def test_instances_follow_the_papers_rules():
    env = negotiation_v0.raw_env()
    seen = set()
    for seed in range(300):
        env.reset(seed=seed)
        counts, v0, v1 = env.counts, env.values[A], env.values[B]
        assert ((1 <= counts) & (counts <= 4)).all() and 5 <= counts.sum() <= 7
        assert counts @ v0 == counts @ v1 == 10
        assert ((v0 > 0) | (v1 > 0)).all() and ((v0 > 0) & (v1 > 0)).any()
        seen.add(tuple(counts))
    assert len(seen) > 10
    assert all(allowed_value_pairs(c) for c in allowed_counts())


def test_masks_follow_the_phase():
    env = negotiation_v0.raw_env()
    env.reset(seed=2)
    mover = env.agent_selection
    mask = env.observe(mover)["action_mask"].astype(bool)
    assert not mask[SELECTION]  # nothing was said yet
    for action in np.flatnonzero(mask):
        assert (action_division(action) <= env.counts).all()
    assert mask.sum() == np.prod(env.counts + 1)
    env.step(int(np.flatnonzero(mask)[0]))
    assert env.observe(env.agent_selection)["action_mask"][SELECTION] == 1
    env.step(SELECTION)
    writer_mask = env.observe(A)["action_mask"]
    assert env.agent_selection == A and writer_mask[SELECTION] == 0 and writer_mask.sum() == np.prod(env.counts + 1)
    assert env.observe(A)["observation"][6] == 1  # the writing phase


def test_token_protocol_utterances():
    env = negotiation_v0.raw_env(protocol="tokens", vocab_size=5, max_utterance_length=3, max_turns=2)
    env.reset(seed=0)
    first, second = env.agent_selection, [a for a in AGENTS if a != env.agent_selection][0]
    mask = env.observe(first)["action_mask"].astype(bool)
    assert mask.tolist() == [False] * 126 + [True] * 5 + [False]  # symbols only: no proposal, no <eou> yet
    env.step(126)
    env.step(env.eou)  # a one-symbol utterance
    assert env.agent_selection == second
    for _ in range(3):
        env.step(130)  # three symbols end the utterance by themselves
    assert env.agent_selection == A and env._writing  # max_turns utterances: writing starts
    dialogue = env.observe(first)["dialogue"]
    n = env.n_actions
    assert dialogue[:5].tolist() == [126, env.eou, n + 130, n + 130, n + 130]
    assert (dialogue[5:] == 2 * n).all()


def test_pareto_optimality_of_an_agreement():
    env = negotiation_v0.raw_env()
    env.reset(seed=0)
    env.counts = np.array([1, 1, 3])
    env.values = {A: np.array([0, 1, 3]), B: np.array([1, 0, 3])}
    assert env._pareto_optimal(np.array([0, 1, 2]))  # hats to A, book to B, balls split
    assert not env._pareto_optimal(np.array([1, 0, 2]))  # giving A the book it does not value wastes it


def test_division_actions_round_trip():
    for action in range(1, 126):
        assert division_action(action_division(action)) == action
    with pytest.raises(ValueError, match="0..4"):
        division_action((5, 0, 0))
