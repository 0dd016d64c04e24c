"""Sample-set metrics for text generators: BLEU, Self-BLEU and the oracle metrics.

BLEU-n here follows Texygen's evaluation (Zhu et al., 2018): every generated sentence is
scored by NLTK-style sentence BLEU (Papineni et al., 2002) with uniform weights over 1..n
grams and smoothing "method 1" (a zero n-gram match count becomes 0.1; Chen and Cherry,
2014) against the *whole* reference set, and the scores are averaged. Self-BLEU scores
each sample against all the other samples (lower = more diverse; Zhu et al., 2018). With
many references, clipping uses each n-gram's largest count in any one reference, so a
hypothesis costs one pass over its own n-grams, not one per reference.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from genenvs.core.reference_lm import RecurrentLM
from genenvs.text.oracle import (
    ORACLE_LENGTH,
    load_oracle_samples,
    oracle_log_likelihood,
    oracle_vocab,
    sequence_log_likelihood,
)

Sentence = Sequence[Any]
SMOOTHING_EPSILON = 0.1


def _ngrams(sentence: Sentence, n: int) -> Counter:
    return Counter(tuple(sentence[i : i + n]) for i in range(len(sentence) - n + 1))


def _closest_length(lengths: Counter, length: int) -> int:
    """The reference length closest to ``length`` (the shorter one on ties), as NLTK chooses."""
    return min((r for r, c in lengths.items() if c > 0), key=lambda r: (abs(r - length), r))


def _sentence_bleu(hypothesis: Sentence, max_counts: Callable[[tuple], int], ref_length: int, orders: Sequence[int]) -> list[float]:
    """BLEU-n of one hypothesis for each n in ``orders`` (precisions computed once)."""
    if not hypothesis:
        return [0.0] * len(orders)
    log_precisions = []
    for k in range(1, max(orders) + 1):
        counts = _ngrams(hypothesis, k)
        total = max(1, sum(counts.values()))
        matched = sum(min(c, max_counts(g)) for g, c in counts.items())
        if k == 1 and matched == 0:
            return [0.0] * len(orders)  # NLTK: no unigram in common scores 0 whatever the smoothing
        log_precisions.append(math.log((matched or SMOOTHING_EPSILON) / total))
    c = len(hypothesis)
    brevity = 1.0 if c > ref_length else math.exp(1.0 - ref_length / c)
    return [brevity * math.exp(sum(log_precisions[:n]) / n) for n in orders]


def bleu(hypotheses: Sequence[Sentence], references: Sequence[Sentence], n: int | Sequence[int] = 4) -> np.ndarray:
    """BLEU-n of each hypothesis against the whole reference set (token sequences).

    With a sequence of orders the result has one column per order.
    """
    if not references:
        raise ValueError("BLEU needs at least one reference")
    orders = [n] if isinstance(n, int) else list(n)
    best: dict[tuple, int] = defaultdict(int)
    for ref in references:
        for k in range(1, max(orders) + 1):
            for g, c in _ngrams(ref, k).items():
                best[g] = max(best[g], c)
    lengths = Counter(len(r) for r in references)
    scores = np.array([_sentence_bleu(h, lambda g: best.get(g, 0), _closest_length(lengths, len(h)), orders) for h in hypotheses]).reshape(len(hypotheses), len(orders))
    return scores[:, 0] if isinstance(n, int) else scores


def self_bleu(samples: Sequence[Sentence], n: int | Sequence[int] = 4) -> np.ndarray:
    """BLEU-n of each sample against all the other samples (leave-one-out maxima)."""
    if len(samples) < 2:
        raise ValueError("Self-BLEU needs at least two samples")
    orders = [n] if isinstance(n, int) else list(n)
    counts = [Counter() for _ in samples]
    for i, sample in enumerate(samples):
        for k in range(1, max(orders) + 1):
            counts[i].update(_ngrams(sample, k))
    top: dict[tuple, list[int]] = {}  # n-gram -> [largest count, how many samples have it, second largest]
    for grams in counts:
        for g, c in grams.items():
            entry = top.setdefault(g, [0, 0, 0])
            if c > entry[0]:
                entry[:] = [c, 1, entry[0]]
            elif c == entry[0]:
                entry[1] += 1
            elif c > entry[2]:
                entry[2] = c
    lengths = Counter(len(s) for s in samples)
    scores = np.zeros((len(samples), len(orders)))
    for i, sample in enumerate(samples):
        own = counts[i]

        def others_max(g: tuple, own: Counter = own) -> int:
            entry = top.get(g)
            if entry is None:
                return 0
            return entry[2] if own[g] == entry[0] and entry[1] == 1 else entry[0]

        lengths[len(sample)] -= 1
        scores[i] = _sentence_bleu(sample, others_max, _closest_length(lengths, len(sample)), orders)
        lengths[len(sample)] += 1
    return scores[:, 0] if isinstance(n, int) else scores


def _as_oracle_ids(samples: Any) -> np.ndarray:
    """Samples as genenvs ids ``(N, 20)``: an id array, or strings of words ``"w12 w7 ..."``."""
    if isinstance(samples, np.ndarray) and samples.dtype != object:
        ids = samples.astype(np.int64)
    else:
        vocab = oracle_vocab()
        ids = np.stack([vocab.ids(s.split()) if isinstance(s, str) else np.asarray(s, dtype=np.int64) for s in samples])
    if ids.ndim != 2 or ids.shape[1] != ORACLE_LENGTH:
        raise ValueError(f"oracle samples must be {ORACLE_LENGTH} tokens each, got an array of shape {ids.shape}")
    return ids


def oracle_metrics(
    samples: Any,
    generator: RecurrentLM | Callable[[np.ndarray], np.ndarray] | None = None,
    *,
    bleu_orders: Sequence[int] = (2, 3, 4, 5),
    max_bleu_samples: int | None = 500,
    seed: int = 0,
) -> dict[str, float]:
    """Texygen's metrics of a TextOracle-v0 generator.

    Args:
        samples: generated sequences, genenvs ids ``(N, 20)`` (``info["sample"]`` strings work too).
        generator: for NLL-test, the generator's log-likelihood of the oracle's test set:
            a :class:`RecurrentLM` over the oracle vocabulary, or a callable mapping ids
            ``(M, 20)`` to per-sequence log-likelihoods ``(M,)``.
        bleu_orders: the n of BLEU-n and Self-BLEU-n.
        max_bleu_samples: BLEU and Self-BLEU use at most this many samples (drawn with
            ``seed``), which bounds the cost of Self-BLEU.

    Returns ``nll_oracle`` (mean oracle NLL per token of the samples; lower = closer to the
    true distribution), ``nll_test`` (generator's NLL per token of the oracle's test set;
    lower = better coverage), ``bleu<n>`` (vs the test set; quality) and ``self_bleu<n>``
    (lower = more diverse).
    """
    ids = _as_oracle_ids(samples)
    result = {"num_samples": float(len(ids)), "nll_oracle": float(-oracle_log_likelihood(ids).mean() / ORACLE_LENGTH)}
    test = load_oracle_samples("test")
    if generator is not None:
        loglik = sequence_log_likelihood(generator, test) if isinstance(generator, RecurrentLM) else np.asarray(generator(test), dtype=np.float64)
        if loglik.shape != (len(test),):
            raise ValueError(f"generator must return one log-likelihood per test sequence, shape ({len(test)},), got {loglik.shape}")
        result["nll_test"] = float(-loglik.mean() / ORACLE_LENGTH)
    subset = ids
    if max_bleu_samples is not None and len(ids) > max_bleu_samples:
        subset = ids[np.random.default_rng(seed).choice(len(ids), max_bleu_samples, replace=False)]
    hyps, refs = [r.tolist() for r in subset], [r.tolist() for r in test]
    orders = list(bleu_orders)
    for n, value in zip(orders, bleu(hyps, refs, orders).mean(axis=0)):
        result[f"bleu{n}"] = float(value)
    if len(hyps) > 1:
        for n, value in zip(orders, self_bleu(hyps, orders).mean(axis=0)):
            result[f"self_bleu{n}"] = float(value)
    return result
