"""adversarial_v0: zero-sum judging of a batch of real and generated samples."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from genenvs.molecule.data.build_vocab import load_smiles
from genenvs.multiagent import adversarial_v0
from genenvs.multiagent.adversarial_v0 import DISCRIMINATOR, FAKE, GENERATOR, PENDING, REAL
from genenvs.multiagent.sources import text_available


@functools.cache
def training_smiles() -> frozenset[str]:
    return frozenset(load_smiles("train"))


def known_data_judge(env, batch_row: np.ndarray) -> int:
    """A discriminator that knows the real data: real iff the row decodes to a training molecule."""
    ids = batch_row[batch_row != env.unwrapped.pad_id]
    sample, valid = env.unwrapped.corpus.decode(ids)
    return REAL if valid and sample in training_smiles() else FAKE


def play(env, seed, generator_policy, judge=None):
    """Play one game; returns each agent's return, the final info and the per-step reward sums."""
    env.reset(seed=seed)
    env.action_space(GENERATOR).seed(seed)
    env.action_space(DISCRIMINATOR).seed(seed + 1)
    totals = {GENERATOR: 0.0, DISCRIMINATOR: 0.0}
    step_sums = []
    info = {}
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        totals[agent] += reward
        if terminated or truncated:
            env.step(None)
            continue
        if agent == GENERATOR:
            action = generator_policy(env, obs)
        elif judge is None:
            action = env.action_space(agent).sample(obs["action_mask"])
        else:
            row = int(np.argmax(obs["judgements"] == PENDING))
            action = judge(env, obs["observation"][row])
        env.step(action)
        step_sums.append(sum(env.unwrapped.rewards.values()))
    return totals, info, step_sums


def random_generator(env, obs):
    return env.action_space(GENERATOR).sample(obs["action_mask"])


def copying_generator():
    """A generator that writes training molecules verbatim (a perfect generator)."""
    queue: list[int] = []
    rng = np.random.default_rng(0)
    smiles = sorted(training_smiles())

    def policy(env, obs):
        if not queue:
            queue.extend(env.unwrapped.corpus.task.encode(smiles[rng.integers(len(smiles))]).tolist())
        return queue.pop(0)

    return policy


def test_scripted_discriminator_that_knows_the_data_beats_a_random_generator():
    env = adversarial_v0.env()
    results = [play(env, seed, random_generator, known_data_judge) for seed in range(12)]
    j = np.array([info["youden_j"] for _, info, _ in results])
    assert j.mean() > 0.95
    for totals, info, _ in results:
        assert totals[DISCRIMINATOR] == pytest.approx(info["youden_j"])
        assert totals[GENERATOR] == pytest.approx(-info["youden_j"])
        assert info["true_fake_rate"] == 1.0  # random SELFIES never spell a training molecule


def test_a_generator_that_copies_the_data_leaves_that_judge_at_chance():
    env = adversarial_v0.env()
    policy = copying_generator()
    for seed in range(4):
        totals, info, _ = play(env, seed, policy, known_data_judge)
        assert info["judgements"] == [REAL] * 8  # every row looks real to it
        assert info["youden_j"] == 0.0 and totals[DISCRIMINATOR] == pytest.approx(0.0)


def test_rewards_are_zero_sum_at_every_step_and_paid_per_judgement():
    env = adversarial_v0.env(n_generated=3, n_real=5)
    totals, info, step_sums = play(env, 7, random_generator)
    assert all(s == pytest.approx(0.0) for s in step_sums)
    assert totals[GENERATOR] == pytest.approx(-totals[DISCRIMINATOR])
    labels, judgements = np.array(info["labels"]), np.array(info["judgements"])
    assert (labels == REAL).sum() == 5 and len(info["samples"]) == 3
    expected = np.mean(judgements[labels == REAL] == REAL) + np.mean(judgements[labels == FAKE] == FAKE) - 1
    assert totals[DISCRIMINATOR] == pytest.approx(expected)


def test_batch_is_hidden_until_generation_ends_and_real_rows_are_training_molecules():
    env = adversarial_v0.raw_env(n_generated=2, n_real=3)
    env.reset(seed=3)
    pad = env.pad_id
    assert (env.observe(DISCRIMINATOR)["observation"] == pad).all()
    for token in ([5, 1, 0], [2, 0]):
        for t in token:
            env.step(t)
    assert env.agent_selection == DISCRIMINATOR
    batch = env.observe(DISCRIMINATOR)["observation"]
    labels = env._labels
    for row in np.flatnonzero(labels == REAL):
        assert env.corpus.decode(batch[row][batch[row] != pad])[0] in training_smiles()
    fake_rows = np.flatnonzero(labels == FAKE)
    assert batch[fake_rows[0], :3].tolist() == [5, 1, pad]
    assert batch[fake_rows[1], :2].tolist() == [2, pad]


def test_generator_cannot_end_an_empty_sample_and_stops_at_max_length():
    env = adversarial_v0.raw_env(n_generated=1, n_real=1, max_length=40)
    env.reset(seed=0)
    assert env.observe(GENERATOR)["action_mask"][0] == 0
    for _ in range(40):
        env.step(1)
    assert env.agent_selection == DISCRIMINATOR
    assert env._samples and env.observe(GENERATOR)["observation"].tolist() == [env.pad_id] * 40
    real_row = env.observe(DISCRIMINATOR)["observation"][env._labels == REAL][0]
    assert (real_row != env.pad_id).sum() <= 40
    with pytest.raises(ValueError, match="max_length=5 is too short"):
        adversarial_v0.raw_env(max_length=5)


def test_smiles_domain_marks_unparsable_samples_invalid():
    env = adversarial_v0.raw_env(domain="molecule_smiles", n_generated=1, n_real=1)
    env.reset(seed=0)
    vocab = env.vocab
    for token in ("(", "(", "C"):
        env.step(vocab.index(token))
    env.step(0)
    assert env._valid == [False]


@pytest.mark.skipif(not text_available(), reason="the text domain's vocabulary and corpus are not available")
def test_text_domain_draws_corpus_sentences():
    env = adversarial_v0.env(domain="text", n_generated=1, n_real=2)
    totals, info, _ = play(env, 0, random_generator)
    assert isinstance(info["samples"][0], str)
    assert totals[GENERATOR] == pytest.approx(-totals[DISCRIMINATOR])
