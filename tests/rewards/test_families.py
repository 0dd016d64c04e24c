"""Each reward family shows its real behaviour."""

import numpy as np
import pytest
import torch

from genenvs.core.reference_lm import LMConfig, RecurrentLM, fit_lm, pad_sequences
from genenvs.rewards import (
    ArithmeticMean,
    BradleyTerryModel,
    CachedScorer,
    DiscriminatorReward,
    FunctionScorer,
    GeometricMean,
    KLControl,
    Modified,
    PreferenceReward,
    SampleBatch,
    WeightedSum,
    augmented_log_likelihood,
)
from genenvs.rewards.modifiers import Clipped, Gaussian, MaxGaussian, MinGaussian, SmoothClipped, Thresholded

V, L = 8, 12


def token_batch(ids: np.ndarray) -> SampleBatch:
    lengths = (ids != V).sum(axis=1)
    return SampleBatch(samples=[tuple(r) for r in ids], tokens=ids, lengths=lengths)


def real_like(rng, n):
    """'Real' data: alternating 1 2 1 2 ... of random length."""
    ids = np.full((n, L), V)
    for i in range(n):
        k = rng.integers(4, L)
        ids[i, :k] = np.where(np.arange(k) % 2 == 0, 1, 2)
    return ids


def noise(rng, n):
    ids = np.full((n, L), V)
    for i in range(n):
        k = rng.integers(4, L)
        ids[i, :k] = rng.integers(3, V, size=k)
    return ids


# ------------------------------------------------------------------ rule-based + composition
def test_function_scorer_gives_invalid_score_and_never_drops_rows():
    scorer = FunctionScorer(len, "length", invalid_score=-1.0)
    batch = SampleBatch(samples=["ab", "abc", "x"], valid=np.array([True, False, True]))
    result = scorer(batch)
    assert result.scores.tolist() == [2.0, -1.0, 1.0]
    assert result.valid.tolist() == [True, False, True]


def test_composition_reports_every_term():
    a = FunctionScorer(lambda s: 0.5, "a")
    b = FunctionScorer(lambda s: 0.8, "b")
    batch = SampleBatch(samples=["x", "y"])
    ws = WeightedSum([(a, 2.0), (b, -1.0)])(batch)
    assert ws.scores == pytest.approx([0.2, 0.2])
    assert ws.components["a"] == pytest.approx([1.0, 1.0]) and ws.components["b"] == pytest.approx([-0.8, -0.8])
    assert sum(ws.components.values()) == pytest.approx(ws.scores)
    assert ArithmeticMean([a, b])(batch).scores == pytest.approx([0.65, 0.65])
    assert GeometricMean([a, b])(batch).scores == pytest.approx([np.sqrt(0.4)] * 2)
    gm = Modified(FunctionScorer(lambda s: 3.0, "x"), Gaussian(3.0, 1.0))(batch)
    assert gm.scores == pytest.approx([1.0, 1.0])


def test_modifiers_follow_guacamol_definitions():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert Gaussian(2, 1)(x) == pytest.approx(np.exp(-0.5 * (x - 2) ** 2))
    assert MinGaussian(1, 1)(x)[:2] == pytest.approx([1, 1]) and MinGaussian(1, 1)(x)[3] < 1
    assert MaxGaussian(2, 1)(x)[2:] == pytest.approx([1, 1]) and MaxGaussian(2, 1)(x)[0] < 1
    assert Clipped(upper_x=2.0)(x) == pytest.approx([0, 0.5, 1, 1])
    assert Clipped(upper_x=0.0, lower_x=2.0)(x) == pytest.approx([1, 0.5, 0, 0])
    assert SmoothClipped(upper_x=2.0)(np.array([1.0])) == pytest.approx([0.5])
    assert Thresholded(2.0)(x) == pytest.approx([0, 0.5, 1, 1])
    with pytest.raises(ValueError, match="sigma"):
        Gaussian(0, 0)


def test_cached_scorer_scores_each_distinct_sample_once():
    calls = []
    inner = FunctionScorer(lambda s: calls.append(s) or len(s), "len")
    cached = CachedScorer(inner)
    r1 = cached(SampleBatch(samples=["aa", "b", "aa"]))
    r2 = cached(SampleBatch(samples=["b", "ccc"]))
    assert r1.scores.tolist() == [2, 1, 2] and r2.scores.tolist() == [1, 3]
    assert calls == ["aa", "b", "ccc"]
    assert cached.hits == 2 and cached.identity() == inner.identity()


# ------------------------------------------------------------------ discriminator
def test_discriminator_reward_separates_real_from_noise_after_training():
    rng = np.random.default_rng(0)
    disc = DiscriminatorReward(real_like(rng, 256), vocab_size=V, update_every=1, steps=20, seed=0)
    before_real = disc(token_batch(real_like(rng, 64))).scores.mean()
    before_noise = disc(token_batch(noise(rng, 64))).scores.mean()
    for _ in range(10):  # the generator keeps producing noise; D learns it is fake
        disc(token_batch(noise(rng, 64)))
    real_r = disc(token_batch(real_like(rng, 64))).scores.mean()
    noise_r = disc(token_batch(noise(rng, 64))).scores.mean()
    assert abs(before_real - before_noise) < 0.5
    assert real_r > noise_r + 1.0
    assert disc.updates >= 10 and disc.last_accuracy > 0.9


def test_discriminator_frozen_is_stationary_and_invalid_gets_floor():
    rng = np.random.default_rng(1)
    disc = DiscriminatorReward(real_like(rng, 32), vocab_size=V, train=False)
    batch = token_batch(noise(rng, 8))
    batch.valid[0] = False
    a, b = disc(batch).scores, disc(batch).scores
    assert a.tolist() == b.tolist() and a[0] == disc.invalid_score


# ------------------------------------------------------------------ distributional
def test_kl_control_matches_the_reference_log_likelihood():
    torch.manual_seed(0)
    model = RecurrentLM(LMConfig(vocab_size=V, embed_dim=16, hidden_dim=32, num_layers=1))
    kl = KLControl(model, beta=0.5)
    kl.allocate(3)
    seqs = np.array([[1, 2, 3, 0], [4, 4, 0, 0], [5, 0, 0, 0]])
    kl.reset_rows(np.arange(3), [None] * 3)
    total = np.zeros(3)
    alive = np.ones(3, dtype=bool)
    for t in range(4):
        rows = np.flatnonzero(alive)
        total[rows] += kl.step(rows, seqs[rows, t])
        alive &= seqs[:, t] != 0
    ids, lengths = pad_sequences([np.array([1, 2, 3]), np.array([4, 4]), np.array([5])], V)
    expected = model.log_prob(torch.as_tensor(ids), torch.as_tensor(lengths)).detach().numpy()
    np.testing.assert_allclose(total, 0.5 * expected, rtol=1e-5)
    assert augmented_log_likelihood(np.array([-10.0]), np.array([0.5]), sigma=120) == pytest.approx([50.0])


def test_reference_lm_learns_its_data():
    rng = np.random.default_rng(0)
    data = real_like(rng, 256)
    lengths = (data != V).sum(1)
    model = RecurrentLM(LMConfig(vocab_size=V, embed_dim=16, hidden_dim=32, num_layers=1))
    history = fit_lm(model, data, lengths, epochs=15, batch_size=64, lr=1e-2, progress=False, log=lambda *_: None)
    assert history[-1]["train_nll"] < 0.3 * history[0]["train_nll"]
    real_lp = model.log_prob(torch.as_tensor(real_like(rng, 32)), torch.as_tensor((real_like(rng, 32) != V).sum(1)))
    nz = noise(rng, 32)
    noise_lp = model.log_prob(torch.as_tensor(nz), torch.as_tensor((nz != V).sum(1)))
    assert real_lp.mean() > noise_lp.mean() + 10


# ------------------------------------------------------------------ data-driven
def test_bradley_terry_model_learns_preferences():
    rng = np.random.default_rng(0)
    count3 = lambda ids: (ids == 3).sum(1)  # noqa: E731  the hidden preference: more 3s is better
    a, b = noise(rng, 600), noise(rng, 600)
    a_better = count3(a) > count3(b)
    keep = count3(a) != count3(b)
    preferred = np.where(a_better[:, None], a, b)[keep]
    rejected = np.where(a_better[:, None], b, a)[keep]
    split = len(preferred) * 3 // 4
    bt = BradleyTerryModel.for_tokens(V, dim=16)
    losses = bt.fit(torch.as_tensor(preferred[:split]), torch.as_tensor(rejected[:split]), epochs=15)
    assert losses[-1] < losses[0]
    assert bt.accuracy(torch.as_tensor(preferred[split:]), torch.as_tensor(rejected[split:])) > 0.85
    scorer = PreferenceReward(bt)
    many = np.full((1, L), V)
    many[0, :8] = 3
    few = np.full((1, L), V)
    few[0, :8] = 5
    assert scorer(token_batch(many)).scores[0] > scorer(token_batch(few)).scores[0]
