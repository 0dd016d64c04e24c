"""Evaluation statistics of melodies, as RL Tuner reports them.

Jaques et al. (2017) compare the Note RNN with its RL-tuned versions on statistics of
generated compositions (their Table 1, computed by Magenta's
``rl_tuner_eval_metrics.py``): the share of notes (steps) that are out of key,
excessively repeated, or part of a motif / repeated motif; the share of compositions that
start with the tonic or have a unique highest / lowest note; the share of leaps that are
resolved; and the mean autocorrelation at lags 1-3. :func:`melody_metrics` computes the
same quantities, with the same rule detectors as the reward, so a baseline's samples can
be placed next to the paper's table.
"""

from __future__ import annotations

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
