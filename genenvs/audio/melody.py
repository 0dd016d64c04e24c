"""The RL Tuner melody encoding and conversions between its three views.

RL Tuner (Jaques et al., 2017) composes a monophonic melody one sixteenth note at a
time with 38 actions: ``0`` note-off (start a rest), ``1`` no event (hold whatever is
sounding), and ``2..37`` the onset of MIDI pitch ``48..83`` (C3..B5). This module names
those constants and converts between

* **actions**: RL Tuner's integers ``0..37`` (what the music-theory rules read);
* **token ids**: genenvs vocabulary ids, ``action + 1``, because id 0 is the suite-wide
  ``<end>`` token (see :mod:`genenvs.core.vocab`);
* **events**: the sample a user sees, in Magenta's ``Melody`` event convention: a MIDI
  pitch for an onset, ``-1`` note-off, ``-2`` no event (hold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from genenvs.core.vocab import Vocabulary

#: RL Tuner's two special actions.
NOTE_OFF = 0
NO_EVENT = 1
NUM_SPECIAL = 2
#: Lowest MIDI pitch (action 2) and the number of actions (MIDI 48..83 inclusive).
MIN_PITCH = 48
NUM_ACTIONS = 38
MAX_PITCH = MIN_PITCH + NUM_ACTIONS - NUM_SPECIAL - 1  # 83
#: Melody length in sixteenth notes (two 4/4 bars), as in RL Tuner.
MELODY_STEPS = 32
#: RL Tuner's default tempo (``rl_tuner_ops.DEFAULT_QPM``), quarter notes per minute.
DEFAULT_QPM = 80.0

#: Event values of the sample (Magenta's ``Melody`` convention).
EVENT_NOTE_OFF = -1
EVENT_NO_EVENT = -2

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
#: Pitch classes of C major.
C_MAJOR_PITCH_CLASSES = frozenset({0, 2, 4, 5, 7, 9, 11})


def pitch_name(midi: int) -> str:
    """Scientific pitch name, middle C (MIDI 60) is ``C4``."""
    return f"{NOTE_NAMES[midi % 12]}{midi // 12 - 1}"


def action_symbols() -> list[str]:
    """Vocabulary symbols of the 38 actions, in action order."""
    return ["off", "hold"] + [pitch_name(p) for p in range(MIN_PITCH, MAX_PITCH + 1)]


def melody_vocabulary() -> Vocabulary:
    """``<end>`` (id 0, never legal in a 32-step melody) then the 38 actions as ids 1..38."""
    return Vocabulary(action_symbols())


# ----------------------------------------------------------------------------- conversions
def ids_to_actions(ids: np.ndarray) -> np.ndarray:
    return np.asarray(ids, dtype=np.int64) - 1


def actions_to_ids(actions: np.ndarray) -> np.ndarray:
    return np.asarray(actions, dtype=np.int64) + 1


def actions_to_events(actions: Sequence[int] | np.ndarray) -> list[int]:
    """RL Tuner actions -> events (MIDI pitch, ``-1`` note-off, ``-2`` hold)."""
    out = []
    for a in np.asarray(actions, dtype=np.int64).tolist():
        if not 0 <= a < NUM_ACTIONS:
            raise ValueError(f"melody action {a} is outside 0..{NUM_ACTIONS - 1}")
        out.append(EVENT_NOTE_OFF if a == NOTE_OFF else EVENT_NO_EVENT if a == NO_EVENT else a - NUM_SPECIAL + MIN_PITCH)
    return out


def events_to_actions(events: Sequence[int]) -> np.ndarray:
    """Events -> RL Tuner actions; raises ``ValueError`` for pitches outside MIDI 48..83."""
    out = np.empty(len(events), dtype=np.int64)
    for i, e in enumerate(events):
        e = int(e)
        if e == EVENT_NOTE_OFF:
            out[i] = NOTE_OFF
        elif e == EVENT_NO_EVENT:
            out[i] = NO_EVENT
        elif MIN_PITCH <= e <= MAX_PITCH:
            out[i] = e - MIN_PITCH + NUM_SPECIAL
        else:
            raise ValueError(
                f"melody event {e} at step {i} is not a MIDI pitch in {MIN_PITCH}..{MAX_PITCH}, "
                f"{EVENT_NOTE_OFF} (note-off) or {EVENT_NO_EVENT} (hold)"
            )
    return out


def events_from_names(text: str) -> list[int]:
    """Parse ``"C4 - - E4 off G4"``: pitch names, ``-``/``hold`` and ``off``/``r`` rests."""
    names = {pitch_name(p): p for p in range(MIN_PITCH, MAX_PITCH + 1)}
    events = []
    for word in text.split():
        if word in ("-", "hold"):
            events.append(EVENT_NO_EVENT)
        elif word in ("off", "r"):
            events.append(EVENT_NOTE_OFF)
        elif word in names:
            events.append(names[word])
        else:
            raise ValueError(f"unknown melody symbol {word!r}; use pitch names C3..B5, '-' to hold, 'off' to rest")
    return events


def events_to_names(events: Sequence[int]) -> str:
    return " ".join("-" if e == EVENT_NO_EVENT else "off" if e == EVENT_NOTE_OFF else pitch_name(int(e)) for e in events)


# ----------------------------------------------------------------------------- notes
@dataclass(frozen=True)
class Note:
    """A sounding note: MIDI ``pitch`` from step ``start`` (inclusive) to ``end`` (exclusive)."""

    pitch: int
    start: int
    end: int


def melody_notes(events: Sequence[int]) -> list[Note]:
    """The notes of an event sequence: an onset sounds until the next onset or note-off."""
    notes: list[Note] = []
    pitch, start = None, 0
    for step, e in enumerate(events):
        e = int(e)
        if e == EVENT_NO_EVENT:
            continue
        if pitch is not None:
            notes.append(Note(pitch, start, step))
        pitch, start = (None, step) if e == EVENT_NOTE_OFF else (e, step)
    if pitch is not None:
        notes.append(Note(pitch, start, len(events)))
    return notes
