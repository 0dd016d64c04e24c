"""RL Tuner's reward as genenvs reward terms.

RL Tuner rewards every note: ``r(s, a) = log p(a | s) + r_MT(a, s) / c`` (Jaques et al.,
2017). The first term is :class:`genenvs.rewards.KLControl` over the shipped Note RNN;
``r_MT`` is the sum of the rules of :mod:`genenvs.audio.music_theory`. Each rule is its own
:class:`~genenvs.rewards.step.StepScorer` here (dense, given on the step that earns it, as
in the paper), so ``info["reward_components"]`` reports each rule's episode total already
multiplied by ``1/c``. The one rule RL Tuner only checks on the last note, unique
extrema, is the task's end-of-episode :class:`~genenvs.rewards.base.Scorer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from genenvs.audio import music_theory as mt
from genenvs.audio.melody import MELODY_STEPS, events_to_actions, ids_to_actions
from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult
from genenvs.rewards.step import StepScorer


class MusicTheoryRule(StepScorer):
    """One music-theory rule as a per-step reward, times ``scale`` (= ``1/c``).

    Keeps each row's melody so far; rows at the same step are scored together. Subclasses
    implement :meth:`raw_reward` for rows that all have ``history.shape[1]`` events.
    """

    version = "1"

    def __init__(self, scale: float = 1.0, length: int = MELODY_STEPS) -> None:
        self.scale = float(scale)
        self.length = int(length)

    def params(self) -> dict[str, Any]:
        return {"scale": self.scale, "length": self.length}

    def allocate(self, num_rows: int) -> None:
        self._history = np.zeros((num_rows, self.length), dtype=np.int64)
        self._count = np.zeros(num_rows, dtype=np.int64)
        self._all_rows = np.arange(num_rows)

    def reset_rows(self, rows: np.ndarray, contexts: list[Any]) -> None:
        self._count[rows] = 0

    def step(self, rows: np.ndarray, actions: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        acts = ids_to_actions(actions)
        counts = self._count[rows]
        playing = (acts >= 0) & (counts < self.length)  # id 0 (<end>) is no note
        t = int(counts[0]) if rows.size else 0
        if rows.size == self._all_rows.size and (rows == self._all_rows).all() and playing.all() and (counts == t).all():
            # Every row at the same step (episodes of fixed length stepped together, the
            # usual case): a view of the history, no grouping.
            out = self.raw_reward(self._history[:, :t], acts, rows)
            self._history[:, t] = acts
            self._count += 1
            return self.scale * out
        out = np.zeros(len(rows))
        for t in np.unique(counts[playing]):
            sel = np.flatnonzero(playing & (counts == t))
            out[sel] = self.raw_reward(self._history[rows[sel], :t], acts[sel], rows[sel])
        self._history[rows[playing], counts[playing]] = acts[playing]
        self._count[rows[playing]] += 1
        return self.scale * out

    def raw_reward(self, history: np.ndarray, actions: np.ndarray, rows: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class InKey(MusicTheoryRule):
    """-1 per note outside C major."""

    name = "in_key"

    def raw_reward(self, history, actions, rows):
        return mt.in_key(history, actions)


class Tonic(MusicTheoryRule):
    """+3 for middle C first and at the start of the last bar, held to the end."""

    name = "tonic"

    def raw_reward(self, history, actions, rows):
        return mt.tonic(history.shape[1], actions, self.length)


class ExcessiveRepetition(MusicTheoryRule):
    """-100 per excessively repeated event."""

    name = "excessive_repetition"

    def raw_reward(self, history, actions, rows):
        return mt.excessive_repetition(history, actions)


class Autocorrelation(MusicTheoryRule):
    """-3 |r| for each lag 1-3 autocorrelation above 0.15, every step."""

    name = "autocorrelation"

    def raw_reward(self, history, actions, rows):
        return mt.autocorrelation_penalty(history, actions)


class Motif(MusicTheoryRule):
    """+3 (+0.3 per extra distinct note) when the last 8 steps hold 3+ distinct notes."""

    name = "motif"

    def raw_reward(self, history, actions, rows):
        return mt.motif(history, actions)


class RepeatedMotif(MusicTheoryRule):
    """+4 (+1 per extra distinct note) when that motif repeats an earlier passage."""

    name = "repeated_motif"

    def raw_reward(self, history, actions, rows):
        return mt.repeated_motif(history, actions)


class PreferredIntervals(MusicTheoryRule):
    """Interval-dependent reward x 5 (steps, chord-tone thirds/fifths good; sevenths, > octave bad)."""

    name = "preferred_intervals"

    def raw_reward(self, history, actions, rows):
        return mt.preferred_intervals(history, actions)


class LeapResolution(MusicTheoryRule):
    """+5 when a leap (a fifth or more) is resolved, -5 for two leaps in one direction."""

    name = "leap_resolution"

    def allocate(self, num_rows: int) -> None:
        super().allocate(num_rows)
        self._leaps = mt.LeapTracker(num_rows)

    def reset_rows(self, rows, contexts):
        super().reset_rows(rows, contexts)
        self._leaps.reset(np.asarray(rows, dtype=np.int64))

    def raw_reward(self, history, actions, rows):
        outcome = self._leaps.step(rows, history, actions)
        return np.select([outcome == mt.LEAP_RESOLVED, outcome == mt.LEAP_DOUBLED], [mt.LEAP_RESOLVED_REWARD, mt.LEAP_DOUBLED_PENALTY], 0.0)


class UniqueExtrema(Scorer):
    """+3 for a unique highest and +3 for a unique lowest note of the finished melody, x ``scale``.

    RL Tuner checks this rule on the last note only, so it is the end-of-episode scorer.
    Melodies shorter than ``length`` (only possible in the sample-level view) are invalid
    and score ``invalid_score`` = 0.
    """

    name = "unique_extrema"
    version = "1"

    def __init__(self, scale: float = 1.0, length: int = MELODY_STEPS) -> None:
        self.scale = float(scale)
        self.length = int(length)

    def params(self) -> dict[str, Any]:
        return {"scale": self.scale, "length": self.length}

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.full(len(batch), self.invalid_score)
        valid = np.asarray(batch.valid, dtype=bool).copy()
        if batch.tokens is not None:
            valid &= np.asarray(batch.lengths) == self.length
            rows = np.flatnonzero(valid)
            if rows.size:
                scores[rows] = self.scale * mt.unique_extrema_reward(ids_to_actions(batch.tokens[rows, : self.length]))
        else:
            for i in np.flatnonzero(valid):
                actions = events_to_actions(batch.samples[i])
                valid[i] = len(actions) == self.length
                if valid[i]:
                    scores[i] = self.scale * mt.unique_extrema_reward(actions[None])[0]
        return ScoreResult.single(self.name, scores, valid)


#: Per-step rules in the order RL Tuner adds them (``reward_music_theory``).
STEP_RULES: dict[str, type[MusicTheoryRule]] = {
    cls.name: cls for cls in (InKey, Tonic, ExcessiveRepetition, Autocorrelation, Motif, RepeatedMotif, PreferredIntervals, LeapResolution)
}
RULE_NAMES: tuple[str, ...] = (*STEP_RULES, UniqueExtrema.name)


def check_rule_names(rules: Sequence[str] | None) -> list[str]:
    """The requested rule names (all when ``None``); ``ValueError`` naming the valid ones."""
    if rules is None:
        return list(RULE_NAMES)
    if isinstance(rules, str):
        raise TypeError(f"rules must be a list of rule names, got the string {rules!r}")
    unknown = [r for r in rules if r not in RULE_NAMES]
    if unknown:
        raise ValueError(f"unknown music-theory rule(s) {unknown}; valid rules: {', '.join(RULE_NAMES)}")
    return [r for r in RULE_NAMES if r in rules]


def step_rules(rules: Sequence[str] | None = None, scale: float = 1.0, length: int = MELODY_STEPS) -> list[MusicTheoryRule]:
    return [STEP_RULES[name](scale, length) for name in check_rule_names(rules) if name in STEP_RULES]


def as_actions(melodies: Any) -> np.ndarray:
    """``(m, n)`` RL Tuner actions from an action array or a list of event sequences."""
    if isinstance(melodies, np.ndarray) and melodies.ndim == 2:
        return melodies.astype(np.int64)
    return np.stack([events_to_actions(m) for m in melodies])


def music_theory_rewards(melodies: Any, rules: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """Raw per-step reward of every rule: name -> ``(m, n)`` (unique extrema on the last step).

    ``melodies`` is an ``(m, n)`` array of RL Tuner actions or a list of event sequences.
    The sum over rules and steps is RL Tuner's ``r_MT`` of each melody.
    """
    actions = as_actions(melodies)
    m, n = actions.shape
    names = check_rule_names(rules)
    rows = np.arange(m)
    table = {}
    for rule in step_rules(names, 1.0, n):
        rule.allocate(m)
        rule.reset_rows(rows, [None] * m)
        table[rule.name] = np.stack([rule.step(rows, actions[:, t] + 1) for t in range(n)], axis=1)
    if UniqueExtrema.name in names:
        last = np.zeros((m, n))
        last[:, -1] = mt.unique_extrema_reward(actions)
        table[UniqueExtrema.name] = last
    return table


def music_theory_total(melodies: Any, rules: Sequence[str] | None = None) -> np.ndarray:
    """RL Tuner's raw music-theory return ``sum_t r_MT`` of each melody, ``(m,)``."""
    return sum(v.sum(axis=1) for v in music_theory_rewards(melodies, rules).values())
