"""Build the melody data set: Bach chorale soprano lines in RL Tuner's encoding.

Source: the Bach chorales bundled with music21 (``music21.corpus.chorales``, Riemenschneider
numbering). For every chorale we take the soprano part, transpose it so that its key
(or, for minor keys, the relative major) becomes C major, as Magenta's melody pipeline
does for RL Tuner's Note RNN, quantise it to sixteenth notes and encode it with the 38
RL Tuner actions (note-off, hold, MIDI 48..83). Every bar start yields one 32-step window
(bars overlap, a cheap form of augmentation). Chorales are split into train and test by
a seeded permutation of the pieces, so no test window shares a piece with training.

Writes ``melodies.npz`` (``actions`` int8 ``(N, 32)``, ``piece`` int16, ``test`` bool,
``pieces`` names) and ``manifest.json`` (counts, music21 version, SHA-256).

Run:  python -m genenvs.audio.data.build_melodies
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from genenvs.audio.melody import MAX_PITCH, MELODY_STEPS, MIN_PITCH, NO_EVENT, NOTE_OFF, NUM_SPECIAL

HERE = Path(__file__).resolve().parent
STEPS_PER_QUARTER = 4
TEST_FRACTION = 0.1
SEED = 20261124


def _transposition(score) -> int:
    """Semitones (-6..5) that move the key's major tonic (relative major for minor) to C."""
    key = score.analyze("key")
    major = key.getRelativeMajor() if key.mode == "minor" else key
    shift = -(major.tonic.pitchClass % 12)
    return shift + 12 if shift < -6 else shift


def encode_part(part, transpose: int) -> np.ndarray | None:
    """Actions of a whole part on the sixteenth grid; off-grid or out-of-range steps are -1."""
    flat = part.stripTies().flatten().notesAndRests
    total = int(round(float(part.highestTime) * STEPS_PER_QUARTER))
    if total <= 0:
        return None
    events = np.full(total, NO_EVENT, dtype=np.int64)
    bad = np.zeros(total, dtype=bool)
    pitches = [n.pitch.midi + transpose for n in flat if n.isNote]
    if not pitches:
        return None
    # Octave shift that keeps the most notes inside MIDI 48..83 (0 preferred on ties).
    octave = max((0, -12, 12), key=lambda o: sum(MIN_PITCH <= p + o <= MAX_PITCH for p in pitches))
    for n in flat:
        if n.duration.quarterLength == 0:  # grace notes take no time
            continue
        start = float(n.offset) * STEPS_PER_QUARTER
        length = float(n.duration.quarterLength) * STEPS_PER_QUARTER
        s = int(round(start))
        if abs(start - s) > 1e-6 or abs(length - round(length)) > 1e-6 or s >= total:
            bad[min(max(s, 0), total - 1)] = True  # triplets and other tuplets do not fit the grid
            continue
        if n.isRest:
            events[s] = NOTE_OFF
        elif n.isChord:
            bad[s] = True
        else:
            midi = n.pitch.midi + transpose + octave
            if MIN_PITCH <= midi <= MAX_PITCH:
                events[s] = midi - MIN_PITCH + NUM_SPECIAL
            else:
                bad[s] = True
    events[bad] = -1
    return events


def windows(events: np.ndarray, bar_starts: list[int]) -> list[np.ndarray]:
    """32-step windows starting on bar lines and containing no off-grid steps.

    A window that starts inside a held note starts with that note's onset instead.
    """
    out = []
    for s in bar_starts:
        w = events[s : s + MELODY_STEPS].copy()
        if len(w) < MELODY_STEPS or (w < 0).any():
            continue
        if w[0] == NO_EVENT:
            before = events[:s][events[:s] != NO_EVENT]
            if before.size == 0 or before[-1] < 0:
                continue
            w[0] = before[-1]
        out.append(w.astype(np.int8))
    return out


def build(limit: int | None = None) -> dict:
    import music21
    from music21 import corpus

    names = list(corpus.chorales.Iterator(numberingSystem="riemenschneider", returnType="filename"))
    names = sorted(set(names))[:limit]
    rng = np.random.default_rng(SEED)
    test_pieces = set(rng.permutation(len(names))[: max(1, int(round(TEST_FRACTION * len(names))))].tolist())
    actions, piece_ids, skipped = [], [], []
    for i, name in enumerate(names):
        score = corpus.parse(name)
        soprano = score.parts[0]
        events = encode_part(soprano, _transposition(score))
        if events is None:
            skipped.append(name)
            continue
        bars = [int(round(float(m.offset) * STEPS_PER_QUARTER)) for m in soprano.getElementsByClass("Measure") if m.number >= 1]
        found = windows(events, bars)
        if not found:
            skipped.append(name)
        actions.extend(found)
        piece_ids.extend([i] * len(found))
    actions_arr = np.stack(actions)
    piece_arr = np.asarray(piece_ids, dtype=np.int16)
    test = np.isin(piece_arr, sorted(test_pieces))
    path = HERE / "melodies.npz"
    np.savez_compressed(path, actions=actions_arr, piece=piece_arr, test=test, pieces=np.asarray(names))
    manifest = {
        "source": "Bach chorales bundled with music21 (music21.corpus.chorales, Riemenschneider numbering), soprano part",
        "music21_version": music21.__version__,
        "encoding": "RL Tuner actions: 0 note-off, 1 hold, 2..37 = MIDI 48..83; sixteenth-note grid; transposed to C major / A minor",
        "window_steps": MELODY_STEPS,
        "seed": SEED,
        "pieces": len(names),
        "pieces_skipped": skipped,
        "test_pieces": len(test_pieces),
        "windows": {"train": int((~test).sum()), "test": int(test.sum())},
        "files": {"melodies.npz": hashlib.sha256(path.read_bytes()).hexdigest()},
    }
    old = HERE / "manifest.json"
    if old.exists():  # keep entries other scripts recorded (the prior's checksum)
        manifest["files"] = {**json.loads(old.read_text()).get("files", {}), **manifest["files"]}
    old.write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N chorales (quick checks)")
    args = parser.parse_args(argv)
    manifest = build(args.limit)
    print(json.dumps({k: manifest[k] for k in ("pieces", "test_pieces", "windows")}, indent=1))


if __name__ == "__main__":
    main()
