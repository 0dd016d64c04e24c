"""RL Tuner's music-theory rules, vectorised over many melodies.

Jaques et al. (2017), "Sequence Tutor: Conservative fine-tuning of sequence generation
models with KL-control" (ICML; first circulated as "Tuning recurrent neural networks with
reinforcement learning"), reward a melody note by note for following rules adapted from
Gauldin's *A Practical Approach to Eighteenth-Century Counterpoint*. The constants below
are the published ones (Magenta's ``rl_tuner.py`` / ``rl_tuner_ops.py``); the code is ours.

Every function takes the actions played so far, ``history`` of shape ``(m, t)`` (all m rows
at the same step ``t``), and the actions about to be played, ``actions`` of shape
``(m,)``, in RL Tuner's encoding (:mod:`genenvs.audio.melody`), and returns the rule's
*raw* reward for that step (before RL Tuner's ``1/c`` weight).

Two behaviours of the reference code are kept on purpose, so that numbers compare with
the paper: a run of more than five consecutive *hold* events also counts as "excessive
repetition" (the hold action is compared with itself like a note), and "the first note of
the final bar" is step ``length - 4`` (step 28 of 32).
"""

from __future__ import annotations

import numpy as np

from genenvs.audio.melody import MIN_PITCH, NO_EVENT, NOTE_OFF, NUM_ACTIONS, NUM_SPECIAL

# ----------------------------------------------------------------------------- constants
def _actions_with_pitch_classes(classes: set[int]) -> np.ndarray:
    return np.array([a for a in range(NUM_SPECIAL, NUM_ACTIONS) if (a - NUM_SPECIAL + MIN_PITCH) % 12 in classes])


#: Actions allowed in C major: the two special events and every C-major pitch.
C_MAJOR_KEY = np.concatenate([[NOTE_OFF, NO_EVENT], _actions_with_pitch_classes({0, 2, 4, 5, 7, 9, 11})])
#: The tonic RL Tuner rewards: middle C, MIDI 60 (action 14).
TONIC = 60 - MIN_PITCH + NUM_SPECIAL
C_NOTES = _actions_with_pitch_classes({0})  # actions 2, 14, 26
E_NOTES = _actions_with_pitch_classes({4})  # 6, 18, 30
G_NOTES = _actions_with_pitch_classes({7})  # 9, 21, 33



def _lookup(actions: np.ndarray) -> np.ndarray:
    """Membership table indexed by action; index -1 ("no note yet") maps to False."""
    table = np.zeros(NUM_ACTIONS + 1, dtype=bool)
    table[actions] = True
    return table


_IN_KEY, _IS_C, _IS_E, _IS_G = (_lookup(a) for a in (C_MAJOR_KEY, C_NOTES, E_NOTES, G_NOTES))

KEY_PENALTY = -1.0
TONIC_REWARD = 3.0
REPETITION_PENALTY = -100.0
AUTOCORRELATION_WEIGHT = 3.0
AUTOCORRELATION_THRESHOLD = 0.15
AUTOCORRELATION_LAGS = (1, 2, 3)
MOTIF_BAR = 8
MOTIF_REWARD = 3.0
MOTIF_COMPLEXITY_BONUS = 0.3  # per distinct note beyond three
REPEATED_MOTIF_REWARD = 4.0  # plus 1 per distinct note beyond three
INTERVAL_SCALER = 5.0
LEAP_RESOLVED_REWARD = 5.0
LEAP_DOUBLED_PENALTY = -5.0
STEPS_BETWEEN_LEAPS = 6
UNIQUE_EXTREMUM_REWARD = 3.0

# Melodic intervals in semitones, and RL Tuner's codes for the special ones.
SECOND, THIRD, FOURTH, FIFTH, SIXTH, SEVENTH, OCTAVE = 2, 4, 5, 7, 9, 11, 12
REST_INTERVAL = -1.0
HOLD_INTERVAL = -1.5
REST_INTERVAL_AFTER_TONIC_OR_FIFTH = -2.0
HOLD_INTERVAL_AFTER_TONIC_OR_FIFTH = -2.5
IN_KEY_THIRD = -3.0
IN_KEY_FIFTH = -5.0

#: Reward (before ``INTERVAL_SCALER``) of each interval code; intervals above an octave get -1.
INTERVAL_REWARDS = {
    REST_INTERVAL: 0.05,
    HOLD_INTERVAL: 0.075,
    REST_INTERVAL_AFTER_TONIC_OR_FIFTH: 0.15,
    HOLD_INTERVAL_AFTER_TONIC_OR_FIFTH: 0.3,
    SEVENTH: -0.3,
    IN_KEY_FIFTH: 0.1,
    IN_KEY_THIRD: 0.15,
    THIRD: 0.09,
    SECOND: 0.08,
    FOURTH: 0.07,
    SIXTH: 0.05,
    FIFTH: 0.02,
}
BEYOND_OCTAVE_REWARD = -1.0

ASCENDING, DESCENDING = 1, -1
LEAP_RESOLVED, LEAP_DOUBLED = 1, -1


def _is_note(x: np.ndarray) -> np.ndarray:
    return x >= NUM_SPECIAL


# ----------------------------------------------------------------------------- rules
def in_key(history: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """-1 for a note outside C major."""
    return np.where(_IN_KEY[actions], 0.0, KEY_PENALTY)


def tonic(step: int, actions: np.ndarray, length: int) -> np.ndarray:
    """+3 for middle C on the first step and the first step of the last bar, and for
    holding (then holding or resting) on the steps after it."""
    final_bar = length - 4
    if step in (0, final_bar):
        hit = actions == TONIC
    elif step == final_bar + 1:
        hit = actions == NO_EVENT
    elif step > final_bar + 1:
        hit = (actions == NO_EVENT) | (actions == NOTE_OFF)
    else:
        hit = np.zeros(actions.shape, dtype=bool)
    return np.where(hit, TONIC_REWARD, 0.0)


def excessively_repeated(history: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """Whether ``actions`` repeat the most recent events too often.

    Scanning back from the last event, events equal to the action are counted; rests and
    holds in between are allowed and raise the limit. More than 4 repeats (more than 6 with
    rests or holds in between) is excessive, and so is a third note-off in a row.
    """
    m, t = history.shape
    if t == 0:
        return np.zeros(m, dtype=bool)
    back = history[:, ::-1]
    same = back == actions[:, None]
    rest = (back == NOTE_OFF) & ~same
    hold = (back == NO_EVENT) & ~same
    in_run = np.cumprod(same | rest | hold, axis=1).astype(bool)  # until the first other note
    repeats = (same & in_run).sum(axis=1)
    interrupted = ((rest | hold) & in_run).any(axis=1)
    excessive = np.where(interrupted, repeats > 6, repeats > 4)
    return excessive | ((actions == NOTE_OFF) & (repeats > 1))


def excessive_repetition(history: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """-100 for an excessively repeated event (see :func:`excessively_repeated`)."""
    return np.where(excessively_repeated(history, actions), REPETITION_PENALTY, 0.0)


def autocorrelation(signal: np.ndarray, lag: int) -> np.ndarray:
    """RL Tuner's autocorrelation coefficient of each row of ``signal`` ``(m, n)``; NaN if constant."""
    return _autocorrelations(signal, (lag,))[0]


def _autocorrelations(signal: np.ndarray, lags: tuple[int, ...]) -> list[np.ndarray]:
    """:func:`autocorrelation` at several lags, centring the signal once (a per-step rule)."""
    signal = np.asarray(signal, dtype=np.float64)
    n = signal.shape[1]
    x = signal - signal.mean(axis=1, keepdims=True)
    var = signal.var(axis=1)
    defined = var > 0
    scale = np.where(defined, var, 1.0)
    out = []
    for lag in lags:
        products = (x[:, lag:] * x[:, : n - lag]).sum(axis=1) if lag < n else np.zeros(len(signal))
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append(np.where(defined, products / n / scale, np.nan))
    return out


def autocorrelation_penalty(history: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """-3 * |r| summed over lags 1-3 whose autocorrelation |r| exceeds 0.15."""
    composition = np.concatenate([history, actions[:, None]], axis=1)
    penalty = np.zeros(len(actions))
    for coeff in map(np.abs, _autocorrelations(composition, AUTOCORRELATION_LAGS)):
        penalty += np.where(coeff > AUTOCORRELATION_THRESHOLD, coeff * AUTOCORRELATION_WEIGHT, 0.0)
    return -penalty


def distinct_notes(window: np.ndarray) -> np.ndarray:
    """Number of distinct pitches (rests and holds ignored) in each row."""
    marked = np.sort(np.where(_is_note(window), window, -1), axis=1)
    new = np.ones(marked.shape, dtype=bool)
    new[:, 1:] = marked[:, 1:] != marked[:, :-1]
    return (new & (marked >= 0)).sum(axis=1)


def last_bar_motif(history: np.ndarray, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(is_motif, distinct)``: the last 8 events (action included) hold >= 3 distinct notes."""
    m, t = history.shape
    if t + 1 < MOTIF_BAR:
        return np.zeros(m, dtype=bool), np.zeros(m, dtype=np.int64)
    window = np.concatenate([history[:, t + 1 - MOTIF_BAR :], actions[:, None]], axis=1)
    distinct = distinct_notes(window)
    return distinct >= 3, distinct


def motif(history: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """+3 (plus 0.3 per distinct note beyond three) when the last bar of 8 steps is a motif."""
    found, distinct = last_bar_motif(history, actions)
    return np.where(found, MOTIF_REWARD + np.maximum(distinct - 3, 0) * MOTIF_COMPLEXITY_BONUS, 0.0)


def repeated_motif_found(history: np.ndarray, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(repeated, distinct)``: the motif just completed also occurs, event for event, earlier."""
    m, t = history.shape
    found, distinct = last_bar_motif(history, actions)
    earlier = history[:, : max(t - (MOTIF_BAR - 1), 0)]
    if earlier.shape[1] < MOTIF_BAR or not found.any():
        return np.zeros(m, dtype=bool), distinct
    window = np.concatenate([history[:, t + 1 - MOTIF_BAR :], actions[:, None]], axis=1)
    candidates = np.lib.stride_tricks.sliding_window_view(earlier, MOTIF_BAR, axis=1)  # (m, k, 8)
    occurs = (candidates == window[:, None, :]).all(axis=2).any(axis=1)
    return found & occurs, distinct


def repeated_motif(history: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """+4 (plus 1 per distinct note beyond three) when the motif just played repeats an earlier one."""
    repeated, distinct = repeated_motif_found(history, actions)
    return np.where(repeated, REPEATED_MOTIF_REWARD + np.maximum(distinct - 3, 0), 0.0)


def previous_note(history: np.ndarray) -> np.ndarray:
    """The last pitch action in each row, or -1 if no note was played yet."""
    m, t = history.shape
    if t == 0:
        return np.full(m, -1, dtype=np.int64)
    positions = np.where(_is_note(history), np.arange(t)[None, :], -1).max(axis=1)
    return np.where(positions >= 0, history[np.arange(m), np.maximum(positions, 0)], -1)


def interval_codes(history: np.ndarray, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(code, previous_note)``: the melodic interval to the previous note, RL Tuner style.

    The code is the interval in semitones, or a negative code for a rest or hold (after
    the tonic or fifth, or not) and for a third or fifth up or down from a C-major chord
    tone; 0 when there is no previous note.
    """
    prev = previous_note(history)
    has_prev = prev >= 0
    after_tonic_or_fifth = _IS_C[prev] | _IS_G[prev]
    interval = np.abs(actions - prev).astype(np.float64)
    code = interval.copy()
    code[(interval == FIFTH) & after_tonic_or_fifth] = IN_KEY_FIFTH
    code[(interval == THIRD) & (_IS_C[prev] | _IS_E[prev])] = IN_KEY_THIRD
    code = np.where(actions == NO_EVENT, np.where(after_tonic_or_fifth, HOLD_INTERVAL_AFTER_TONIC_OR_FIFTH, HOLD_INTERVAL), code)
    code = np.where(actions == NOTE_OFF, np.where(after_tonic_or_fifth, REST_INTERVAL_AFTER_TONIC_OR_FIFTH, REST_INTERVAL), code)
    return np.where(has_prev, code, 0.0), prev


def preferred_intervals(history: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """5 x the interval's reward: steps and chord-tone thirds and fifths good, sevenths and leaps
    beyond an octave bad, holding or resting after the tonic or fifth good."""
    codes, _ = interval_codes(history, actions)
    return INTERVAL_SCALER * _INTERVAL_TABLE[np.rint(2 * codes).astype(np.int64) + _TABLE_OFFSET]


def _interval_table() -> tuple[np.ndarray, int]:
    """Rewards indexed by ``2 * code + offset`` (codes are multiples of 0.5 from -5 to 35)."""
    offset = int(-2 * IN_KEY_FIFTH)
    table = np.zeros(2 * (NUM_ACTIONS - NUM_SPECIAL) + offset + 1)
    for k in range(len(table)):
        code = (k - offset) / 2
        table[k] = INTERVAL_REWARDS.get(code, BEYOND_OCTAVE_REWARD if code > OCTAVE else 0.0)
    return table, offset


_INTERVAL_TABLE, _TABLE_OFFSET = _interval_table()


class LeapTracker:
    """RL Tuner's "leap up, leap back" state per row.

    A leap is a move of a fifth or more. After a leap, moving back past the note it left
    (gradually), or leaping back in the other direction after more than 6 steps, resolves
    it; leaping again in the same direction is a double leap.
    """

    def __init__(self, num_rows: int) -> None:
        self.direction = np.zeros(num_rows, dtype=np.int64)
        self.leapt_from = np.full(num_rows, -1, dtype=np.int64)
        self.steps_since_leap = np.zeros(num_rows, dtype=np.int64)

    def reset(self, rows: np.ndarray) -> None:
        self.direction[rows] = 0
        self.leapt_from[rows] = -1
        self.steps_since_leap[rows] = 0

    def step(self, rows: np.ndarray, history: np.ndarray, actions: np.ndarray) -> np.ndarray:
        """Outcome per row: ``LEAP_RESOLVED`` (1), ``LEAP_DOUBLED`` (-1) or 0; updates the state."""
        outcome = np.zeros(len(rows), dtype=np.int64)
        if history.shape[1] == 0:
            return outcome
        codes, prev = interval_codes(history, actions)
        note = _is_note(actions)
        self.steps_since_leap[rows[~note]] += 1

        leap = note & ((codes >= FIFTH) | (codes == IN_KEY_FIFTH))
        going = np.where(actions > prev, ASCENDING, DESCENDING)
        current = self.direction[rows]
        had = current != 0
        back = leap & had & (current != going)
        outcome[back & (self.steps_since_leap[rows] > STEPS_BETWEEN_LEAPS)] = LEAP_RESOLVED
        outcome[leap & had & (current == going)] = LEAP_DOUBLED
        first = leap & ~had
        self.direction[rows[back]] = 0
        self.leapt_from[rows[back]] = -1
        self.direction[rows[first]] = going[first]
        self.leapt_from[rows[first]] = prev[first]
        self.steps_since_leap[rows[leap]] = 0

        step = note & ~leap
        self.steps_since_leap[rows[step]] += 1
        origin = self.leapt_from[rows]
        gradual = step & (((current == ASCENDING) & (actions <= origin)) | ((current == DESCENDING) & (actions >= origin)))
        outcome[gradual] = LEAP_RESOLVED
        self.direction[rows[gradual]] = 0
        self.leapt_from[rows[gradual]] = -1
        return outcome


def unique_extrema(compositions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(highest_unique, lowest_unique)`` per row of whole compositions ``(m, n)``.

    As in RL Tuner, the highest value is taken over all actions and the lowest over
    pitches only; each must occur exactly once.
    """
    comp = np.asarray(compositions, dtype=np.int64)
    high = comp.max(axis=1)
    high_unique = (comp == high[:, None]).sum(axis=1) == 1
    notes = np.where(_is_note(comp), comp, np.iinfo(np.int64).max)
    low = notes.min(axis=1)
    low_unique = _is_note(comp).any(axis=1) & ((comp == low[:, None]).sum(axis=1) == 1)
    return high_unique, low_unique


def unique_extrema_reward(compositions: np.ndarray) -> np.ndarray:
    """+3 for a unique highest note and +3 for a unique lowest note (given on the last step)."""
    high, low = unique_extrema(compositions)
    return UNIQUE_EXTREMUM_REWARD * (high.astype(np.float64) + low.astype(np.float64))
