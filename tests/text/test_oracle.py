"""TextOracle-v0 and the oracle metrics (SeqGAN / Texygen synthetic benchmark)."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401
from genenvs.text.metrics import bleu, oracle_metrics, self_bleu
from genenvs.text.oracle import (
    ORACLE_LENGTH,
    ORACLE_WORDS,
    load_oracle,
    load_oracle_samples,
    oracle_log_likelihood,
)


@pytest.mark.parametrize("granularity", ["token", "sample"])
def test_passes_gymnasium_checker(granularity):
    check_env(gym.make("TextOracle-v0", granularity=granularity).unwrapped, skip_render_check=True)
    # an online discriminator changes its rewards by design; frozen, it passes the determinism checks
    frozen = gym.make("TextOracle-v0", granularity=granularity, reward="discriminator", discriminator_kwargs={"train": False})
    check_env(frozen.unwrapped, skip_render_check=True)


def test_episodes_have_exactly_twenty_tokens_and_the_oracle_likelihood_as_reward():
    env = gym.make("TextOracle-v0", render_mode="ansi")
    _, info = env.reset(seed=0)
    assert not info["action_mask"][0]  # <end> never legal
    sample = load_oracle_samples("test")[0]
    total, steps = 0.0, 0
    for a in sample:
        _, r, term, _, info = env.step(a)
        total += r
        steps += 1
    assert term and steps == ORACLE_LENGTH
    assert info["sample"] == " ".join(f"w{i}" for i in sample)
    assert total == pytest.approx(oracle_log_likelihood(sample[None])[0], rel=1e-6)
    assert info["reward_components"] == {"oracle_log_likelihood": pytest.approx(total)}
    assert "w" in env.render()


def test_replaying_via_encode_reproduces_a_sample():
    env = gym.make("TextOracle-v0", granularity="sample", action_type="text")
    text = " ".join(f"w{i}" for i in load_oracle_samples("test")[3])
    env.reset(seed=0)
    _, _r, _, _, info = env.step(text)
    assert info["sample"] == text and info["valid"]
    with pytest.raises(ValueError, match="exactly 20"):
        env.unwrapped.task.encode("w1 w2")


def test_oracle_samples_are_likelier_than_a_uniform_policy():
    """NLL-oracle of the oracle's own samples is far below that of uniformly random tokens."""
    env = gym.make_vec("TextOracle-v0", 16, vectorization_mode="vector_entry_point")
    _, info = env.reset(seed=0)
    rng = np.random.default_rng(0)
    uniform = []
    for _ in range(ORACLE_LENGTH):
        _, _, term, _, info = env.step(rng.integers(1, ORACLE_WORDS + 1, size=16))
    uniform = list(info["sample"][term])
    oracle_ids, _ = load_oracle().sample(64, ORACLE_LENGTH, generator=torch.Generator().manual_seed(0))
    m_oracle = oracle_metrics(oracle_ids, max_bleu_samples=64, bleu_orders=(2,))
    m_uniform = oracle_metrics(uniform, bleu_orders=(2,))
    assert len(uniform) == 16
    assert m_oracle["nll_oracle"] < 5.0 < np.log(ORACLE_WORDS) < m_uniform["nll_oracle"]
    assert m_oracle["bleu2"] > m_uniform["bleu2"]


def test_nll_test_of_the_oracle_is_its_entropy_and_uniform_is_log_v():
    samples = load_oracle_samples("test")[:50]
    as_oracle = oracle_metrics(samples, load_oracle(), bleu_orders=(2,))
    uniform = oracle_metrics(samples, lambda ids: np.full(len(ids), -ORACLE_LENGTH * np.log(ORACLE_WORDS)), bleu_orders=(2,))
    assert as_oracle["nll_test"] == pytest.approx(4.39, abs=0.05)
    assert uniform["nll_test"] == pytest.approx(np.log(ORACLE_WORDS))
    with pytest.raises(ValueError, match="one log-likelihood per test sequence"):
        oracle_metrics(samples, lambda ids: np.zeros(3))


def test_discriminator_reward_trains_online():
    env = gym.make_vec("TextOracle-v0", 32, reward="discriminator", vectorization_mode="vector_entry_point")
    env.reset(seed=0)
    scorer = env.unwrapped.task.scorer
    rng = np.random.default_rng(0)
    for _ in range(2 * ORACLE_LENGTH + 1):  # the step after an episode ends only resets (NEXT_STEP autoreset)
        _, _r, term, _, info = env.step(rng.integers(1, ORACLE_WORDS + 1, size=32))
    assert scorer.updates == 2 and (info["reward_components"]["discriminator"][term] < 0).all()
    with pytest.raises(ValueError, match="oracle_nll"):
        gym.make("TextOracle-v0", reward="gan")


def test_bleu_matches_nltk_sentence_bleu_with_texygen_smoothing():
    nltk_bleu = pytest.importorskip("nltk.translate.bleu_score")
    rng = np.random.default_rng(1)
    refs = [list(rng.integers(0, 6, size=rng.integers(4, 12))) for _ in range(25)]
    hyps = [list(rng.integers(0, 6, size=rng.integers(1, 12))) for _ in range(15)]
    smooth = nltk_bleu.SmoothingFunction().method1
    for n in (2, 3, 4):
        weights = (1 / n,) * n
        expected = [nltk_bleu.sentence_bleu(refs, h, weights, smoothing_function=smooth) for h in hyps]
        np.testing.assert_allclose(bleu(hyps, refs, n), expected, atol=1e-12)
        expected_self = [nltk_bleu.sentence_bleu(hyps[:i] + hyps[i + 1 :], hyps[i], weights, smoothing_function=smooth) for i in range(len(hyps))]
        np.testing.assert_allclose(self_bleu(hyps, n), expected_self, atol=1e-12)


def test_identical_samples_have_self_bleu_one():
    same = [[1, 2, 3, 4, 5]] * 4
    np.testing.assert_allclose(self_bleu(same, 4), 1.0)
