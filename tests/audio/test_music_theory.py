"""RL Tuner's music-theory rules on hand-written melodies, and the evaluation metrics."""

import numpy as np
import pytest

from genenvs.audio import music_theory as mt
from genenvs.audio.melody import actions_to_events, events_from_names, events_to_actions, melody_notes
from genenvs.audio.metrics import melody_metrics
from genenvs.audio.rewards import RULE_NAMES, music_theory_rewards, music_theory_total, step_rules

# Up and down the C-major scale in eighth notes, ending on middle C held for the last bar.
SCALE = "C4 - D4 - E4 - F4 - G4 - A4 - B4 - C5 - B4 - A4 - G4 - F4 - E4 - D4 - C4 - - -"


def rewards(text: str, rules=None) -> dict[str, np.ndarray]:
    return {k: v[0] for k, v in music_theory_rewards([events_from_names(text)], rules).items()}


def pad(text: str, length: int = 32, filler: str = "-") -> str:
    words = text.split()
    return " ".join(words + [filler] * (length - len(words)))


def test_encoding_round_trip_and_notes():
    events = events_from_names(SCALE)
    assert len(events) == 32 and events[0] == 60 and events[1] == -2
    assert actions_to_events(events_to_actions(events)) == events
    notes = melody_notes(events)
    assert [(n.pitch, n.start, n.end) for n in notes[:2]] == [(60, 0, 2), (62, 2, 4)]
    assert notes[-1].pitch == 60 and notes[-1].start == 28 and notes[-1].end == 32
    with pytest.raises(ValueError, match="MIDI pitch"):
        events_to_actions([47])
    with pytest.raises(ValueError, match="unknown melody symbol"):
        events_from_names("C4 H9")


def test_c_major_scale_has_no_key_penalty_and_chromatic_notes_do():
    assert rewards(SCALE)["in_key"].sum() == 0.0
    chromatic = rewards(pad("C4 C#4 D4 D#4 E4"))["in_key"]
    assert chromatic[:5].tolist() == [0.0, -1.0, 0.0, -1.0, 0.0]


def test_tonic_at_start_and_held_through_the_last_bar():
    tonic = rewards(SCALE)["tonic"]
    assert tonic[0] == 3.0 and tonic[28:].tolist() == [3.0, 3.0, 3.0, 3.0]
    assert tonic.sum() == 15.0
    assert rewards(pad("D4"))["tonic"][0] == 0.0  # not the tonic
    assert rewards(pad("C5"))["tonic"][0] == 0.0  # RL Tuner's tonic is middle C only


def test_eight_repeated_notes_trigger_the_repetition_penalty():
    rep = rewards(pad("C4 C4 C4 C4 C4 C4 C4 C4", filler="off"))["excessive_repetition"]
    assert rep[:5].tolist() == [0.0] * 5
    assert rep[5:8].tolist() == [-100.0] * 3  # the 6th, 7th and 8th C: more than 4 repeats
    # Holds or rests in between raise the limit to 6 repeats.
    spaced = rewards(pad("C4 - C4 - C4 - C4 - C4 - C4 - C4 - C4"))["excessive_repetition"]
    assert spaced[:14].sum() == 0.0 and spaced[14] == -100.0
    # A third note-off in a row is excessive too.
    assert rewards(pad("C4 off off off"))["excessive_repetition"][3] == -100.0


def test_resolved_leap_earns_the_bonus_and_a_double_leap_the_penalty():
    # C4 -> G4 leaps up a fifth; stepping back down to C4 resolves it gradually.
    resolved = rewards(pad("C4 - G4 - F4 - E4 - D4 - C4"))["leap_resolution"]
    assert resolved.sum() == 5.0 and resolved[10] == 5.0
    # Two leaps up in a row: the second is punished.
    doubled = rewards(pad("C4 - G4 - D5"))["leap_resolution"]
    assert doubled[4] == -5.0 and doubled.sum() == -5.0
    # Leaping straight back is not a resolution (it needs more than 6 steps in between).
    straight_back = rewards(pad("C4 G4 C4"))["leap_resolution"]
    assert straight_back.sum() == 0.0


def test_motif_and_repeated_motif_bonuses():
    bar = "C4 - E4 - G4 - E4 -"
    motif = rewards(pad(bar, filler="off"))["motif"]
    assert motif[:7].sum() == 0.0 and motif[7] == 3.0  # three distinct notes in a bar of 8
    four = rewards(pad("C4 D4 E4 F4 C4 D4 E4 F4", filler="off"))["motif"]
    assert four[7] == pytest.approx(3.3)  # +0.3 per distinct note beyond three
    repeated = rewards(pad(f"{bar} {bar} {bar} {bar}"))["repeated_motif"]
    assert repeated[:15].sum() == 0.0  # the copy must not overlap the bar it repeats
    assert repeated[15] == 4.0  # the second bar repeats the first, event for event
    assert (repeated[15:] == 4.0).all()  # and every later 8-step window occurred before
    varied = rewards(pad(f"{bar} C4 - D4 - F4 - A4 -"))["repeated_motif"]
    assert varied.sum() == 0.0


def test_preferred_intervals():
    def first_interval(text: str) -> float:
        return rewards(pad(text, filler="off"))["preferred_intervals"][1]

    assert first_interval("C4 E4") == pytest.approx(5 * 0.15)  # in-key third from C
    assert first_interval("C4 G4") == pytest.approx(5 * 0.1)  # in-key fifth from C
    assert first_interval("C4 D4") == pytest.approx(5 * 0.08)  # second
    assert first_interval("D4 A4") == pytest.approx(5 * 0.02)  # fifth, not from C or G
    assert first_interval("C4 B4") == pytest.approx(5 * -0.3)  # seventh
    assert first_interval("C4 D5") == pytest.approx(5 * -1.0)  # beyond an octave
    assert first_interval("C4 C4") == 0.0
    assert rewards(pad("C4 -"))["preferred_intervals"][1] == pytest.approx(5 * 0.3)  # hold after the tonic
    assert rewards(pad("D4 -"))["preferred_intervals"][1] == pytest.approx(5 * 0.075)


def test_autocorrelation_matches_the_definition():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 38, (5, 32)).astype(np.float64)
    for lag in (1, 2, 3):
        expected = [((r[lag:] - r.mean()) * (r[:-lag] - r.mean())).sum() / len(r) / r.var() for r in x]
        assert np.allclose(mt.autocorrelation(x, lag), expected)
    assert np.isnan(mt.autocorrelation(np.full((1, 8), 3.0), 1)[0])  # constant: undefined, no penalty
    # The per-step penalty is -3 |r| over lags 1-3 with |r| > 0.15, on the melody so far.
    actions = events_to_actions(events_from_names(SCALE))
    penalty = rewards(SCALE)["autocorrelation"]
    for t in (5, 17, 31):
        coeffs = np.abs([mt.autocorrelation(actions[None, : t + 1], lag)[0] for lag in (1, 2, 3)])
        assert penalty[t] == pytest.approx(-3 * coeffs[coeffs > 0.15].sum())
    assert penalty.sum() < -100  # a scale in eighths alternates note/hold: strongly autocorrelated


def test_unique_extrema():
    # C5 is played once (unique highest); C4 twice (lowest not unique).
    assert rewards(SCALE)["unique_extrema"].tolist() == [0.0] * 31 + [3.0]
    assert mt.unique_extrema_reward(np.array([events_to_actions(events_from_names(pad("E4 C4 G4 D4", filler="off")))]))[0] == 6.0


def test_rules_batched_over_rows_at_different_steps_equal_one_at_a_time():
    """The step scorers group rows by position; rows out of step must still be scored alone."""
    rng = np.random.default_rng(1)
    melodies = rng.integers(0, 38, (3, 32))
    single = music_theory_rewards(melodies)
    for rule in step_rules(None, 1.0):
        rule.allocate(3)
        rule.reset_rows(np.arange(3), [None] * 3)
        got = np.zeros((3, 32))
        # Row 0 starts first, row 2 two steps later: the rows are never at the same step.
        for clock in range(34):
            rows = np.array([r for r in range(3) if 0 <= clock - r < 32])
            steps = clock - rows
            got[rows, steps] = rule.step(rows, melodies[rows, steps] + 1)
        assert np.allclose(got, single[rule.name]), rule.name


def test_rule_selection_and_errors():
    assert set(music_theory_rewards([events_from_names(SCALE)])) == set(RULE_NAMES)
    assert set(music_theory_rewards([events_from_names(SCALE)], ["tonic", "motif"])) == {"tonic", "motif"}
    with pytest.raises(ValueError, match="valid rules: in_key"):
        music_theory_rewards([events_from_names(SCALE)], ["tonics"])
    total = music_theory_total([events_from_names(SCALE)])[0]
    assert total == pytest.approx(sum(v.sum() for v in rewards(SCALE).values()))


def test_melody_metrics_on_known_melodies():
    repeated = events_from_names(pad("C4 C4 C4 C4 C4 C4 C4 C4", filler="off"))
    stats = melody_metrics([events_from_names(SCALE), repeated])
    assert stats["num_melodies"] == 2 and stats["total_notes"] == 64
    assert stats["notes_not_in_key"] == 0.0
    # Repeated melody: 3 excessive C's, then every note-off after the second one in a row.
    assert stats["notes_excessively_repeated"] == pytest.approx((3 + 22) / 64)
    assert stats["starts_with_tonic"] == 1.0
    assert stats["unique_highest"] == 0.5 and stats["unique_lowest"] == 0.0
    assert np.isnan(stats["leaps_resolved"])
    rng = np.random.default_rng(0)
    random_stats = melody_metrics(rng.integers(0, 38, (200, 32)))
    assert 0.3 < random_stats["notes_not_in_key"] < 0.5  # 14 of 36 pitches are outside C major
    assert abs(random_stats["autocorrelation_lag1"]) < 0.1
