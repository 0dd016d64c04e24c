"""RL Tuner's table of composition statistics: its rows, directions and rendering, on hand-made melodies."""

import math

import pytest

from genenvs.audio.melody import events_from_names
from genenvs.audio.metrics import (
    RL_TUNER_TABLE,
    improves,
    melody_metrics,
    metrics_table,
)

# Up and down the C-major scale in eighth notes from middle C: in key, starts on the tonic.
SCALE = "C4 - D4 - E4 - F4 - G4 - A4 - B4 - C5 - B4 - A4 - G4 - F4 - E4 - D4 - C4 - - -"
# Sixteen out-of-key eighth notes: half of the 32 steps are out of key, no tonic start.
CHROMATIC = " ".join(["C#4 - D#4 -"] * 8)


def test_every_row_of_the_table_is_a_melody_metric():
    stats = melody_metrics([events_from_names(SCALE)])
    assert [key for key, _, _ in RL_TUNER_TABLE][:5] == ["notes_excessively_repeated", "autocorrelation_lag1", "autocorrelation_lag2", "autocorrelation_lag3", "notes_not_in_key"]
    assert {key for key, _, _ in RL_TUNER_TABLE} <= set(stats)
    assert {better for _, _, better in RL_TUNER_TABLE} == {"lower", "higher", "closer to 0"}


def test_improves_follows_the_papers_direction():
    assert improves("notes_not_in_key", 0.10, 0.02) and not improves("notes_not_in_key", 0.02, 0.10)
    assert improves("notes_in_motif", 0.05, 0.70) and not improves("notes_in_motif", 0.70, 0.05)
    assert improves("autocorrelation_lag1", -0.30, 0.10)  # smaller in magnitude, whatever the sign
    assert not improves("autocorrelation_lag2", 0.10, -0.30)
    assert not improves("starts_with_tonic", 0.5, 0.5)  # a tie is no improvement
    assert not improves("leaps_resolved", math.nan, 0.9) and not improves("leaps_resolved", 0.9, math.nan)
    with pytest.raises(ValueError, match="not a row of RL Tuner's table; rows: notes_excessively_repeated"):
        improves("notes_in_key", 0.1, 0.2)


def test_metrics_table_on_hand_made_melodies():
    scale, chromatic = melody_metrics([events_from_names(SCALE)]), melody_metrics([events_from_names(CHROMATIC)])
    assert chromatic["notes_not_in_key"] == 0.5 and scale["notes_not_in_key"] == 0.0
    table = metrics_table({"scale": scale, "chromatic": chromatic})
    lines = table.splitlines()
    assert lines[0] == "| statistic | scale | chromatic | better |"
    assert lines[1] == "| --- | --- | --- | --- |"
    assert len(lines) == 2 + len(RL_TUNER_TABLE)
    assert "| notes not in key | 0.0% | 50.0% | lower |" in lines
    assert "| compositions starting with the tonic | 100.0% | 0.0% | higher |" in lines
    assert "| leaps resolved | n/a | n/a | higher |" in lines  # neither melody leaps a fifth or more
    assert "| notes in repeated motif | 0.0% | 0.0% | higher |" in lines
    rare = metrics_table({"rare": {**scale, "notes_not_in_key": 1 / 32000, "notes_in_motif": 0.0068}})
    assert "| notes not in key | 0.0031% | lower |" in rare and "| notes in motif | 0.68% | higher |" in rare
    lag1 = next(line for line in lines if line.startswith("| mean autocorrelation, lag 1 |"))
    assert lag1 == f"| mean autocorrelation, lag 1 | {scale['autocorrelation_lag1']:+.2f} | {chromatic['autocorrelation_lag1']:+.2f} | closer to 0 |"
