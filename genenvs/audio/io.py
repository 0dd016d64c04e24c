"""Writing melodies and sounds to files: WAV (16-bit PCM) and Standard MIDI Files.

Both writers are small and dependency-free (``wave`` from the standard library and a
~40-line MIDI encoder), so saving a sample never needs an optional package. The MIDI
writer follows the Standard MIDI File 1.0 specification: a format-0 file with one track
holding the tempo, a 4/4 time signature and note-on / note-off events.
"""

from __future__ import annotations

import struct
import wave
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from genenvs.audio.melody import DEFAULT_QPM, melody_notes

TICKS_PER_QUARTER = 480
TICKS_PER_STEP = TICKS_PER_QUARTER // 4  # one sixteenth note


def write_wav(path: str | Path, audio: np.ndarray, sample_rate: int, target_rate: int | None = None) -> Path:
    """Save mono ``audio`` (float in [-1, 1]) as 16-bit PCM; resample first if ``target_rate`` is given."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    if target_rate is not None and target_rate != sample_rate:
        import torch
        import torchaudio.functional as AF

        audio = AF.resample(torch.from_numpy(audio), sample_rate, target_rate).numpy()
        sample_rate = target_rate
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    path = Path(path)
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(int(sample_rate))
        f.writeframes(pcm.tobytes())
    return path


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """``(audio float32 in [-1, 1], sample_rate)`` of a mono 16-bit WAV file."""
    with wave.open(str(path), "rb") as f:
        if f.getsampwidth() != 2 or f.getnchannels() != 1:
            raise ValueError(f"{path}: only mono 16-bit PCM is supported")
        data = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")
        return data.astype(np.float32) / 32767.0, f.getframerate()


def _vlq(value: int) -> bytes:
    """MIDI variable-length quantity: 7 bits per byte, high bit set on all but the last."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(out))


def midi_bytes(events: Sequence[int], qpm: float = DEFAULT_QPM, velocity: int = 90, program: int = 0) -> bytes:
    """A format-0 Standard MIDI File of an event sequence on the sixteenth-note grid."""
    if not 1 <= velocity <= 127 or not 0 <= program <= 127:
        raise ValueError(f"velocity must lie in 1..127 and program in 0..127, got {velocity}, {program}")
    tempo = int(round(60_000_000 / qpm))
    timed: list[tuple[int, int, bytes]] = []  # (tick, order, message): note-offs sort before note-ons
    for note in melody_notes(events):
        timed.append((note.start * TICKS_PER_STEP, 1, bytes([0x90, note.pitch, velocity])))
        timed.append((note.end * TICKS_PER_STEP, 0, bytes([0x80, note.pitch, 0])))
    track = bytearray()
    track += _vlq(0) + b"\xff\x51\x03" + tempo.to_bytes(3, "big")
    track += _vlq(0) + b"\xff\x58\x04\x04\x02\x18\x08"  # 4/4, 24 clocks per click, 8 32nds per quarter
    track += _vlq(0) + bytes([0xC0, program])
    now = 0
    for tick, _, message in sorted(timed, key=lambda e: (e[0], e[1])):
        track += _vlq(tick - now) + message
        now = tick
    end = len(events) * TICKS_PER_STEP
    track += _vlq(max(end - now, 0)) + b"\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, TICKS_PER_QUARTER)
    return header + b"MTrk" + struct.pack(">I", len(track)) + bytes(track)


def write_midi(path: str | Path, events: Sequence[int], qpm: float = DEFAULT_QPM, velocity: int = 90, program: int = 0) -> Path:
    """Save a melody (events: MIDI pitch, -1 note-off, -2 hold) as a MIDI file."""
    path = Path(path)
    path.write_bytes(midi_bytes(events, qpm, velocity, program))
    return path
