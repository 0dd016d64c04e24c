"""Scorers for generated text: the rewards ``TextGen-v0``'s ``reward=`` selects.

Each scorer reads the decoded continuation (a string) and, where it needs one, the
episode's :class:`~genenvs.text.corpus.Prompt` (``SampleBatch.contexts``):

==============  ====================================================  ===================
``reward=``     scorer                                                 range
==============  ====================================================  ===================
``sentiment``   :class:`VaderSentiment`: VADER-lexicon compound score  [-1, 1]
``keywords``    :class:`KeywordCoverage`: share of concepts mentioned  [0, 1]
``reference``   :class:`ReferenceOverlap`: BLEU/chrF/ROUGE vs corpus   [0, 1]
``preference``  :class:`~genenvs.rewards.PreferenceReward` (shipped)   unbounded
``length``      :class:`LengthPenalty`: distance to a target length    <= 0
``repetition``  :class:`RepetitionPenalty`: repeated word n-grams      [-1, 0]
==============  ====================================================  ===================

TextOracle-v0 uses :class:`OracleLikelihood` (or a
:class:`~genenvs.rewards.DiscriminatorReward`), and both envs' KL-control term is
:class:`PromptedKLControl`.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence

from genenvs.core.reference_lm import RecurrentLM
from genenvs.rewards.base import FunctionScorer, SampleBatch, Scorer, ScoreResult
from genenvs.rewards.kl_control import KLControl
from genenvs.text.corpus import Prompt
from genenvs.text.vocab import file_sha256, split_words

#: VADER's normalisation constant: compound = s / sqrt(s^2 + alpha) (Hutto and Gilbert, 2014).
VADER_ALPHA = 15.0
#: Weights of a booster word one, two and three positions before a sentiment word.
BOOSTER_DAMPING = (1.0, 0.95, 0.9)
#: Emphasis per exclamation mark (up to four) and per question mark (two or more, capped).
EXCLAMATION_EMPHASIS, QUESTION_EMPHASIS, QUESTION_CAP = 0.292, 0.18, 0.96


def _words(text: str) -> list[str]:
    return [w for w in split_words(text) if w[0].isalpha()]


#: VADER keeps hyphenated and alphanumeric words ("cpp-like", "win32") whole: so does this scorer.
_COMPOUND_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


@functools.cache
def vader_tables() -> tuple[dict[str, float], frozenset[str], dict[str, float], float, str]:
    """``(lexicon, negations, boosters, negation_scalar, lexicon_sha256)`` from the vaderSentiment package."""
    try:
        from vaderSentiment import vaderSentiment as vader
    except ImportError as exc:
        raise ImportError("reward='sentiment' reads the VADER lexicon from the `vaderSentiment` package: pip install vaderSentiment") from exc
    raw = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_bytes()
    lexicon = {}
    for line in raw.decode("utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 2:
            lexicon[fields[0]] = float(fields[1])
    return lexicon, frozenset(vader.NEGATE), dict(vader.BOOSTER_DICT), float(vader.N_SCALAR), hashlib.sha256(raw).hexdigest()[:16]


class VaderSentiment(Scorer):
    """Sentiment of a text as VADER's compound score in [-1, 1] (Hutto and Gilbert, 2014).

    Uses the VADER lexicon (7,500 human-rated words; ``vaderSentiment`` package, MIT) and
    VADER's main rules: a negation among the three preceding words scales a word's
    valence by -0.74, booster words ("very", "barely", ...) shift it by +-0.293 (damped
    by distance), valences before "but" count half and after it one and a half times,
    ``!``/``?`` add emphasis, and the sum ``s`` is normalised to ``s / sqrt(s^2 + 15)``.
    It leaves out VADER's capitalisation, idiom and emoji rules, and runs several times
    faster than ``SentimentIntensityAnalyzer``, whose compound score it reproduces on 98%
    of the held-out corpus sentences (see docs/text.md).
    """

    name = "sentiment"
    version = "1"

    def __init__(self) -> None:
        self.lexicon, self.negations, self.boosters, self.negation_scalar, self.lexicon_sha256 = vader_tables()

    def params(self) -> dict[str, Any]:
        return {"lexicon_sha256": self.lexicon_sha256}

    def _negates(self, word: str) -> bool:
        return word in self.negations or "n't" in word

    def polarity(self, text: str) -> float:
        """Compound sentiment of one text."""
        words = _COMPOUND_WORD.findall(text.lower())
        valences = []
        for i, word in enumerate(words):
            v = self.lexicon.get(word, 0.0)
            if v == 0.0 or word in self.boosters or (word == "no" and words[i + 1 : i + 2] and words[i + 1] in self.lexicon):
                valences.append(0.0)  # boosters modify others; "no" before a rated word negates it instead
                continue
            if "no" in words[max(0, i - 2) : i]:
                v *= self.negation_scalar
            for back in range(1, 4):
                if i < back:
                    break
                prev = words[i - back]
                if prev in self.lexicon:
                    continue
                boost = self.boosters.get(prev, 0.0)  # signed: "very" > 0, "barely" < 0
                v += (-boost if v < 0 else boost) * BOOSTER_DAMPING[back - 1]
                if self._negates(prev):
                    v *= self.negation_scalar
            valences.append(v)
        if "but" in words:
            pivot = words.index("but")
            valences = [v * 0.5 if i < pivot else v * 1.5 if i > pivot else v for i, v in enumerate(valences)]
        total = sum(valences)
        if total:
            emphasis = EXCLAMATION_EMPHASIS * min(text.count("!"), 4)
            questions = text.count("?")
            if questions > 1:
                emphasis += min(QUESTION_EMPHASIS * questions, QUESTION_CAP)
            total += math.copysign(emphasis, total)
        return max(-1.0, min(1.0, total / math.sqrt(total * total + VADER_ALPHA)))

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.zeros(len(batch))
        for i, (text, ok) in enumerate(zip(batch.samples, batch.valid)):
            scores[i] = self.polarity(text) if ok else self.invalid_score
        return ScoreResult.single(self.name, scores, batch.valid)


def _stem(word: str) -> str:
    """A light suffix stripper so "files"/"filed"/"filing" match the concept "file"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _prompt_of(context: Any, scorer: str) -> Prompt:
    if not isinstance(context, Prompt):
        raise TypeError(f"the {scorer!r} reward needs each episode's Prompt as its context, got {type(context).__name__}")
    return context


class KeywordCoverage(Scorer):
    """Share of the prompt's concepts the continuation mentions (CommonGen's coverage; Lin et al., 2020).

    A concept counts as mentioned when a word of the text has the same stem (plural and
    tense suffixes stripped). Pair it with the KL term for fluency, as CommonGen pairs
    coverage with fluency metrics.
    """

    name = "keyword_coverage"
    version = "1"

    def score(self, batch: SampleBatch) -> ScoreResult:
        contexts = batch.contexts or [None] * len(batch)
        scores = np.zeros(len(batch))
        for i, (text, ok, ctx) in enumerate(zip(batch.samples, batch.valid, contexts)):
            keywords = _prompt_of(ctx, "keywords").keywords
            if not ok or not keywords:
                continue
            stems = {_stem(w) for w in _words(text)}
            scores[i] = sum(_stem(k) in stems for k in keywords) / len(keywords)
        return ScoreResult.single(self.name, scores, batch.valid)


REFERENCE_METRICS = ("bleu", "chrf", "rouge1", "rouge2", "rougeL")


class ReferenceOverlap(Scorer):
    """Overlap of the continuation with the corpus continuation, on [0, 1].

    ``bleu`` and ``chrf`` are sacrebleu's sentence-level BLEU (Papineni et al., 2002;
    exponential smoothing) and chrF (Popovic, 2015) divided by 100; ``rouge1``,
    ``rouge2`` and ``rougeL`` are the F-measures of Google's ``rouge-score`` (Lin, 2004).
    """

    version = "1"

    def __init__(self, metric: str = "bleu") -> None:
        if metric not in REFERENCE_METRICS:
            raise ValueError(f"reference_metric must be one of {REFERENCE_METRICS}, got {metric!r}")
        self.metric = metric
        self.name = metric
        try:
            if metric.startswith("rouge"):
                from rouge_score import rouge_scorer

                self._rouge = rouge_scorer.RougeScorer([metric], use_stemmer=False)
            else:
                import sacrebleu  # noqa: F401
        except ImportError as exc:
            package = "rouge-score" if metric.startswith("rouge") else "sacrebleu"
            raise ImportError(f"reference_metric={metric!r} needs the `{package}` package: pip install {package}") from exc

    def params(self) -> dict[str, Any]:
        return {"metric": self.metric}

    def _one(self, hypothesis: str, reference: str) -> float:
        if self.metric.startswith("rouge"):
            return float(self._rouge.score(reference, hypothesis)[self.metric].fmeasure)
        import sacrebleu

        metric = sacrebleu.sentence_bleu if self.metric == "bleu" else sacrebleu.sentence_chrf
        return float(metric(hypothesis.strip(), [reference.strip()]).score) / 100.0

    def score(self, batch: SampleBatch) -> ScoreResult:
        contexts = batch.contexts or [None] * len(batch)
        scores = np.zeros(len(batch))
        for i, (text, ok, ctx) in enumerate(zip(batch.samples, batch.valid, contexts)):
            reference = _prompt_of(ctx, "reference").reference
            if reference is None:
                raise ValueError("reward='reference' needs a reference continuation for every prompt; pass prompts as (prompt, reference) pairs")
            scores[i] = self._one(text, reference) if ok else self.invalid_score
        return ScoreResult.single(self.name, scores, batch.valid)


class LengthPenalty(Scorer):
    """``-|words - target| / target``: zero at the target number of words, negative elsewhere."""

    name = "length"
    version = "1"

    def __init__(self, target_words: int = 12) -> None:
        if target_words < 1:
            raise ValueError(f"target_length must be a positive number of words, got {target_words}")
        self.target = int(target_words)

    def params(self) -> dict[str, Any]:
        return {"target_words": self.target}

    def score(self, batch: SampleBatch) -> ScoreResult:
        counts = np.array([len(_words(t)) for t in batch.samples], dtype=np.float64)
        scores = np.where(batch.valid, -np.abs(counts - self.target) / self.target, self.invalid_score)
        return ScoreResult.single(self.name, scores, batch.valid)


def repetition_rate(words: Sequence[str], n: int = 2) -> float:
    """``1 - unique n-grams / n-grams`` (seq-rep-n of Welleck et al., 2020); 0 without repeats."""
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return 1.0 - len(set(grams)) / len(grams) if grams else 0.0


class RepetitionPenalty(Scorer):
    """``-seq-rep-n`` over lowercase words: penalises the degenerate loops of likelihood-trained LMs."""

    name = "repetition"
    version = "1"

    def __init__(self, n: int = 2) -> None:
        if n < 1:
            raise ValueError(f"repetition n-gram order must be >= 1, got {n}")
        self.n = int(n)

    def params(self) -> dict[str, Any]:
        return {"n": self.n}

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.array([-repetition_rate(_words(t), self.n) if ok else self.invalid_score for t, ok in zip(batch.samples, batch.valid)])
        return ScoreResult.single(self.name, scores, batch.valid)


def callable_scorer(fn: Callable[[str], float]) -> Scorer:
    """A plain ``str -> float`` function as a scorer named after the function (``custom`` for lambdas)."""
    name = getattr(fn, "__name__", "custom")
    return FunctionScorer(fn, name="custom" if name == "<lambda>" else name)


class OracleLikelihood(Scorer):
    """``log p_oracle(x)``: the oracle's log-likelihood of a 20-token sample (TextOracle-v0).

    Maximising it drives the generator toward the oracle's modes; the per-token mean of its
    negative over a sample set is Texygen's NLL-oracle.
    """

    name = "oracle_log_likelihood"
    version = "1"
    invalid_score = -1e3

    def params(self) -> dict[str, Any]:
        from genenvs.text.oracle import ORACLE_FILE

        return {"oracle": file_sha256(ORACLE_FILE)}

    def score(self, batch: SampleBatch) -> ScoreResult:
        from genenvs.text.oracle import ORACLE_LENGTH, oracle_log_likelihood

        scores = np.full(len(batch), self.invalid_score)
        rows = np.flatnonzero(batch.valid)
        if rows.size:
            scores[rows] = oracle_log_likelihood(batch.tokens[rows, :ORACLE_LENGTH])
        return ScoreResult.single(self.name, scores, batch.valid)


#: Reference hidden states after reading a prompt, shared by every KL term in the process
#: (a SyncVectorEnv has one per env), keyed by (model id, prompt ids); least recently used out.
_PROMPT_STATES: OrderedDict[tuple[str, bytes], tuple[torch.Tensor, int]] = OrderedDict()
PROMPT_STATE_CACHE_SIZE = 50_000
_WARMED: set[tuple[str, str]] = set()


class PromptedKLControl(KLControl):
    """:class:`~genenvs.rewards.KLControl`, faster for many parallel prompted episodes.

    Same reward and identity: ``beta * log p_ref(a_t | prompt, a_<t)``. Only the
    computation differs: the reference's state after a prompt is computed once per
    distinct prompt (:meth:`warm_up` reads a whole prompt set in a few packed GRU calls;
    new prompts of episodes that start together are packed into one call) and then
    reused, and for a one-layer reference each step applies PyTorch's GRU equations with
    the input projection ``W_ih e(x) + b_ih`` precomputed per token.
    """

    def __init__(self, model: RecurrentLM, beta: float = 0.1, model_id: str | None = None, name: str = "kl_prior") -> None:
        super().__init__(model, beta, model_id, name)
        self._cache_key = model_id or f"object-{id(model)}"
        gru = model.gru
        self._fast = gru.num_layers == 1 and gru.bias and not gru.bidirectional
        if self._fast:
            with torch.no_grad():
                self._input_gates = model.embed.weight @ gru.weight_ih_l0.T + gru.bias_ih_l0  # (V + 1, 3H)
                self._w_hh, self._b_hh = gru.weight_hh_l0.detach(), gru.bias_hh_l0.detach()

    @torch.no_grad()
    def _read_prompts(self, prompts: list[np.ndarray]) -> None:
        """Run the reference over prompts not yet cached, in one packed GRU call."""
        todo = {p.tobytes(): p for p in prompts if (self._cache_key, p.tobytes()) not in _PROMPT_STATES}
        if not todo:
            return
        items = list(todo.values())
        lengths = torch.tensor([len(p) for p in items])
        inputs = torch.full((len(items), int(lengths.max())), self.model.start_id, dtype=torch.long)
        for j, p in enumerate(items):  # the reference reads <start>, prompt[:-1]; prompt[-1] is its next input
            inputs[j, 1 : len(p)] = torch.as_tensor(p[:-1])
        packed = pack_padded_sequence(self.model.embed(inputs), lengths, batch_first=True, enforce_sorted=False)
        _, hidden = self.model.gru(packed)
        for j, (key, p) in enumerate(todo.items()):
            _PROMPT_STATES[(self._cache_key, key)] = (hidden[:, j].clone(), int(p[-1]))
        while len(_PROMPT_STATES) > PROMPT_STATE_CACHE_SIZE:
            _PROMPT_STATES.popitem(last=False)

    def warm_up(self, prompts: Sequence[np.ndarray], name: str, batch_size: int = 2048) -> None:
        """Read a whole prompt set now (once per process and set ``name``), not episode by episode."""
        if (self._cache_key, name) in _WARMED or len(prompts) > PROMPT_STATE_CACHE_SIZE:
            return
        for i in range(0, len(prompts), batch_size):
            self._read_prompts([np.ascontiguousarray(p, dtype=np.int64) for p in prompts[i : i + batch_size]])
        _WARMED.add((self._cache_key, name))

    @torch.no_grad()
    def reset_rows(self, rows: np.ndarray, contexts: list[Any]) -> None:
        idx = torch.as_tensor(np.asarray(rows), dtype=torch.long)
        self._hidden[:, idx] = 0.0
        self._last[idx] = self.model.start_id
        prefixes = [getattr(ctx, "prefix", None) for ctx in contexts]
        have = [k for k, p in enumerate(prefixes) if p is not None and len(p)]
        if not have:
            return
        prompts = [np.ascontiguousarray(prefixes[k], dtype=np.int64) for k in have]
        self._read_prompts(prompts)
        states = []
        for p in prompts:
            key = (self._cache_key, p.tobytes())
            _PROMPT_STATES.move_to_end(key)
            states.append(_PROMPT_STATES[key])
        targets = idx[torch.as_tensor(have)]
        self._hidden[:, targets] = torch.stack([h for h, _ in states], dim=1)
        self._last[targets] = torch.as_tensor([last for _, last in states])

    @torch.no_grad()
    def step(self, rows: np.ndarray, actions: np.ndarray) -> np.ndarray:
        if not self._fast:
            return super().step(rows, actions)
        idx = torch.as_tensor(rows, dtype=torch.long)
        every_row = len(rows) == self._last.shape[0]
        h = self._hidden[0] if every_row else self._hidden[0, idx]
        last = self._last if every_row else self._last[idx]
        H = h.shape[1]
        gi = self._input_gates[last]
        gh = torch.addmm(self._b_hh, h, self._w_hh.T)
        r, z = torch.sigmoid(gi[:, : 2 * H] + gh[:, : 2 * H]).chunk(2, dim=1)
        n = torch.tanh(torch.addcmul(gi[:, 2 * H :], r, gh[:, 2 * H :]))
        h = torch.lerp(n, h, z)  # (1 - z) * n + z * h
        logits = F.linear(h, self.model.head.weight, self.model.head.bias)
        acts = torch.as_tensor(actions, dtype=torch.long)
        logp = torch.log_softmax(logits, dim=-1).gather(1, acts[:, None])[:, 0]
        if every_row:
            self._hidden[0] = h
            self._last.copy_(acts)
        else:
            self._hidden[0, idx] = h
            self._last[idx] = acts
        return self.beta * logp.numpy().astype(np.float64)
