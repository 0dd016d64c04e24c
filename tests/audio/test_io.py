"""Melody rendering and the WAV / MIDI writers."""

import numpy as np
import pytest

from genenvs.audio.io import TICKS_PER_STEP, midi_bytes, read_wav, write_midi, write_wav
from genenvs.audio.melody import events_from_names, melody_notes
from genenvs.audio.render import piano_roll
from genenvs.audio.synth import render_melody

MELODY = events_from_names("C4 - - - E4 - off - G4 - - - - - - - " + " ".join(["off"] + ["-"] * 15))


def test_render_melody_follows_the_notes():
    sr = 16000
    audio = render_melody(MELODY, sample_rate=sr, qpm=80)
    step = int(round(60 / 80 / 4 * sr))  # 3000 samples per sixteenth
    assert audio.dtype == np.float32 and audio.shape == (32 * step,)
    assert np.array_equal(audio, render_melody(MELODY, sample_rate=sr, qpm=80))
    loud = lambda a, b: np.sqrt(np.mean(audio[a:b] ** 2))  # noqa: E731
    assert loud(0, 4 * step) > 0.05 and loud(8 * step, 16 * step) > 0.05
    assert loud(6 * step + 1500, 8 * step) < 1e-3  # the rest after E4 (past its release)
    assert loud(18 * step, 32 * step) == 0.0  # silence after the final note-off has released
    # The E4 segment's spectrum peaks at E4's frequency (329.6 Hz).
    seg = audio[4 * step + 500 : 6 * step]
    freqs = np.fft.rfftfreq(len(seg), 1 / sr)
    assert abs(freqs[np.argmax(np.abs(np.fft.rfft(seg * np.hanning(len(seg)))))] - 329.6) < 8
    assert np.all(render_melody([-1] * 32) == 0)


def test_wav_round_trip_and_resampling(tmp_path):
    audio = render_melody(MELODY)
    path = write_wav(tmp_path / "m.wav", audio, 16000)
    back, rate = read_wav(path)
    assert rate == 16000 and back.shape == audio.shape
    assert np.abs(back - audio).max() < 1 / 32767 + 1e-6
    path44 = write_wav(tmp_path / "m44.wav", audio, 16000, target_rate=44100)
    back44, rate44 = read_wav(path44)
    assert rate44 == 44100 and abs(len(back44) - len(audio) * 44100 / 16000) <= 1


def test_midi_file_structure(tmp_path):
    data = midi_bytes(MELODY, qpm=80)
    assert data[:4] == b"MThd" and data[14:18] == b"MTrk"
    assert b"\xff\x51\x03" + int(60_000_000 / 80).to_bytes(3, "big") in data  # tempo
    assert data.count(b"\x90") == 3 and data.endswith(b"\xff\x2f\x00")
    path = write_midi(tmp_path / "m.mid", MELODY)
    assert path.read_bytes() == data
    with pytest.raises(ValueError):
        midi_bytes(MELODY, velocity=0)


def test_midi_file_reads_back_with_music21(tmp_path):
    music21 = pytest.importorskip("music21")
    path = write_midi(tmp_path / "m.mid", MELODY)
    score = music21.converter.parse(str(path))
    notes = [(n.pitch.midi, float(n.offset), float(n.quarterLength)) for n in score.flatten().notes]
    expected = [(n.pitch, n.start / 4, (n.end - n.start) / 4) for n in melody_notes(MELODY)]
    assert notes == expected
    assert TICKS_PER_STEP * 4 == 480


def test_piano_roll_draws_each_note():
    img = piano_roll(MELODY)
    assert img.shape == (36 * 8, 32 * 12, 3) and img.dtype == np.uint8
    row_c4 = (83 - 60) * 8 + 4
    assert tuple(img[row_c4, 3]) == (30, 70, 140) and tuple(img[row_c4, 30]) == (70, 130, 200)
    assert tuple(img[row_c4, 5 * 12]) != (70, 130, 200)  # C4 stopped before E4
