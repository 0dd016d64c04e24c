"""The text scorers on their own."""

import numpy as np
import pytest

from genenvs.rewards.base import SampleBatch
from genenvs.text.corpus import Prompt, choose_keywords, load_sentences, split_sentence
from genenvs.text.rewards import (
    KeywordCoverage,
    LengthPenalty,
    ReferenceOverlap,
    RepetitionPenalty,
    VaderSentiment,
    repetition_rate,
)

POSITIVE = ["This is a wonderful, very useful and elegant library!", "I love how clean and simple the new design is.", "Great work, the results are excellent."]
NEGATIVE = ["This is a terrible, ugly and useless hack.", "I hate how broken and painful the old design was.", "Awful work, the results are a disaster."]


def test_sentiment_ranks_clearly_positive_above_clearly_negative():
    scorer = VaderSentiment()
    result = scorer(SampleBatch(POSITIVE + NEGATIVE))
    pos, neg = result.scores[:3], result.scores[3:]
    assert pos.min() > 0.5 and neg.max() < -0.5
    assert result.components == {"sentiment": pytest.approx(result.scores)}


def test_sentiment_rules_negation_boosters_and_but():
    s = VaderSentiment().polarity
    assert s("It is good.") > 0 > s("It is not good.")
    assert s("It is very good.") > s("It is good.") > s("It is barely good.")
    assert s("It is bad, but good.") > 0
    assert s("It is good!!") > s("It is good.")
    assert s("The function returns a list.") == 0.0


def test_sentiment_reproduces_vader_on_corpus_sentences():
    vader = pytest.importorskip("vaderSentiment.vaderSentiment")
    analyzer = vader.SentimentIntensityAnalyzer()
    sentences = list(load_sentences("test")[:300]) + POSITIVE + NEGATIVE
    ours = np.array([VaderSentiment().polarity(s) for s in sentences])
    theirs = np.array([analyzer.polarity_scores(s)["compound"] for s in sentences])
    assert np.mean(np.abs(ours - theirs) < 1e-3) > 0.97
    assert np.corrcoef(ours, theirs)[0, 1] > 0.97


def test_keyword_coverage_matches_word_stems():
    prompt = Prompt("Write", " x", keywords=("file", "open", "read"))
    batch = SampleBatch([" Opens the files.", " reading it", " nothing"], contexts=[prompt] * 3)
    np.testing.assert_allclose(KeywordCoverage()(batch).scores, [2 / 3, 1 / 3, 0.0])
    with pytest.raises(TypeError, match="Prompt"):
        KeywordCoverage()(SampleBatch(["x"], contexts=["not a prompt"]))


def test_keywords_are_common_content_words_of_the_reference():
    from collections import Counter

    freq = Counter({"file": 10, "directory": 5, "creates": 1})
    assert choose_keywords(" creates a new file in the directory", freq, 2) == ("directory", "file")


def test_reference_overlap_metrics():
    ref = Prompt("p", " the cat sat on the mat")
    for metric in ("bleu", "chrf", "rouge1", "rouge2", "rougeL"):
        scores = ReferenceOverlap(metric)(SampleBatch([" the cat sat on the mat", " a dog ran"], contexts=[ref, ref])).scores
        assert scores[0] == pytest.approx(1.0) and scores[1] < 0.3
    with pytest.raises(ValueError, match="bleu"):
        ReferenceOverlap("meteor")


def test_length_and_repetition_penalties():
    np.testing.assert_allclose(LengthPenalty(4)(SampleBatch(["a b c d", "a b", "a b c d e f g h"])).scores, [0.0, -0.5, -1.0])
    assert repetition_rate(["a", "b", "a", "b", "a", "b"]) == pytest.approx(1 - 2 / 5)
    scores = RepetitionPenalty()(SampleBatch(["the cat sat", "the the the the"], valid=np.array([True, True]))).scores
    assert scores[0] == 0.0 and scores[1] == pytest.approx(-(1 - 1 / 3))


def test_split_sentence_keeps_the_text():
    for sentence in load_sentences("test")[:50]:
        prompt, reference = split_sentence(sentence)
        assert prompt + reference == sentence and 3 <= len(prompt.split()) <= 8
