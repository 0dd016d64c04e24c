"""Evaluation statistics of melodies, as RL Tuner reports them.

Jaques et al. (2017) compare the Note RNN with its RL-tuned versions on statistics of
generated compositions (their Table 1, computed by Magenta's
``rl_tuner_eval_metrics.py``): the share of notes (steps) that are out of key,
excessively repeated, or part of a motif / repeated motif; the share of compositions that
start with the tonic or have a unique highest / lowest note; the share of leaps that are
resolved; and the mean autocorrelation at lags 1-3. :func:`melody_metrics` computes the
same quantities, with the same rule detectors as the reward, so a baseline's samples can
be placed next to the paper's table. :data:`RL_TUNER_TABLE` lists the table's rows with
the direction the paper counts as better; :func:`metrics_table` prints the table for
several sets of melodies side by side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from genenvs.audio import music_theory as mt
from genenvs.audio.rewards import as_actions, music_theory_rewards


def melody_metrics(melodies: Any) -> dict[str, float]:
    """RL Tuner's composition statistics over a set of melodies.

    Args:
        melodies: ``(m, n)`` RL Tuner actions, or a list of event sequences (``info["sample"]``).

    Returns a dict of fractions in [0, 1] (``notes_*`` per step over all m * n steps,
    ``starts_with_tonic`` / ``unique_highest`` / ``unique_lowest`` per melody,
    ``leaps_resolved`` = resolved / (resolved + double leaps), NaN without leaps) and
    ``autocorrelation_lag{1,2,3}`` (mean coefficient, NaN-skipping), plus the counts.
    """
    actions = as_actions(melodies)
    m, n = actions.shape
    table = music_theory_rewards(actions, ["in_key", "excessive_repetition", "motif", "repeated_motif", "leap_resolution"])
    steps = float(m * n)
    resolved = int((table["leap_resolution"] == mt.LEAP_RESOLVED_REWARD).sum())
    doubled = int((table["leap_resolution"] == mt.LEAP_DOUBLED_PENALTY).sum())
    high, low = mt.unique_extrema(actions)
    stats: dict[str, float] = {
        "num_melodies": m,
        "total_notes": int(steps),
        "notes_not_in_key": float((table["in_key"] < 0).sum() / steps),
        "notes_excessively_repeated": float((table["excessive_repetition"] < 0).sum() / steps),
        "notes_in_motif": float((table["motif"] > 0).sum() / steps),
        "notes_in_repeated_motif": float((table["repeated_motif"] > 0).sum() / steps),
        "starts_with_tonic": float(np.mean(actions[:, 0] == mt.TONIC)),
        "unique_highest": float(np.mean(high)),
        "unique_lowest": float(np.mean(low)),
        "leaps_resolved": resolved / (resolved + doubled) if resolved + doubled else float("nan"),
        "num_resolved_leaps": resolved,
        "num_double_leaps": doubled,
    }
    for lag in mt.AUTOCORRELATION_LAGS:
        coeff = mt.autocorrelation(actions, lag)
        stats[f"autocorrelation_lag{lag}"] = float(np.nanmean(coeff)) if np.isfinite(coeff).any() else float("nan")
    return stats


#: The rows of RL Tuner's table in the paper's order (Jaques et al., 2017, Table 1): the
#: :func:`melody_metrics` key, a label, and the direction the paper counts as better. The
#: paper splits its table into statistics to decrease (repetition, autocorrelation, notes
#: out of key) and statistics to increase (the rest); for the autocorrelations we read
#: "decrease" as "smaller in magnitude", since the reward penalises ``|r| > 0.15``.
RL_TUNER_TABLE: tuple[tuple[str, str, str], ...] = (
    ("notes_excessively_repeated", "notes excessively repeated", "lower"),
    ("autocorrelation_lag1", "mean autocorrelation, lag 1", "closer to 0"),
    ("autocorrelation_lag2", "mean autocorrelation, lag 2", "closer to 0"),
    ("autocorrelation_lag3", "mean autocorrelation, lag 3", "closer to 0"),
    ("notes_not_in_key", "notes not in key", "lower"),
    ("starts_with_tonic", "compositions starting with the tonic", "higher"),
    ("leaps_resolved", "leaps resolved", "higher"),
    ("unique_highest", "compositions with a unique max note", "higher"),
    ("unique_lowest", "compositions with a unique min note", "higher"),
    ("notes_in_motif", "notes in motif", "higher"),
    ("notes_in_repeated_motif", "notes in repeated motif", "higher"),
)
_DIRECTIONS = {key: better for key, _, better in RL_TUNER_TABLE}


def improves(key: str, before: float, after: float) -> bool:
    """Whether ``after`` is better than ``before`` on statistic ``key`` by the paper's direction.

    Ties and NaNs are not improvements.
    """
    if key not in _DIRECTIONS:
        raise ValueError(f"{key!r} is not a row of RL Tuner's table; rows: {', '.join(_DIRECTIONS)}")
    better = _DIRECTIONS[key]
    if better == "lower":
        return after < before
    if better == "higher":
        return after > before
    return abs(after) < abs(before)  # "closer to 0"


def _cell(key: str, value: float) -> str:
    if math.isnan(value):  # e.g. leaps_resolved when no melody leaps
        return "n/a"
    if key.startswith("autocorrelation"):
        return f"{value:+.2f}"
    percent = 100 * value
    if percent == 0 or percent >= 1:
        return f"{percent:.1f}%"
    return f"{percent:.2g}%"  # rare events keep two significant digits


def metrics_table(columns: Mapping[str, Mapping[str, float]]) -> str:
    """RL Tuner's table as Markdown: one row per statistic, one column per set of melodies.

    Args:
        columns: column name -> the :func:`melody_metrics` of that set, e.g.
            ``{"Note RNN": melody_metrics(prior_samples), "PPO": melody_metrics(agent_samples)}``.

    Fractions print as percentages (two significant digits below 1%), autocorrelations as
    coefficients; the last column says which direction the paper counts as better.
    """
    names = list(columns)
    lines = ["| statistic | " + " | ".join(names) + " | better |", "| --- | " + "--- | " * len(names) + "--- |"]
    for key, label, better in RL_TUNER_TABLE:
        cells = [_cell(key, float(columns[name][key])) for name in names]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {better} |")
    return "\n".join(lines)
