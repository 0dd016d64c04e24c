"""A small subtractive synthesiser in torch: oscillators, an ADSR envelope, a biquad low-pass.

Used twice: to render AudioGen melodies to sound (:func:`render_melody`) and as the
instrument of SynthMatch (:class:`Synth`), whose parameters the agent must recover.
Everything is batched over a leading dimension and deterministic (no noise source), so
the same parameters always give the same waveform.

* Oscillators: sine, and sawtooth / square waves with PolyBLEP anti-aliasing (Valimaki
  & Huovilainen, 2007: a polynomial correction around each discontinuity removes most of
  the aliasing of the naive waveforms at no extra cost).
* Envelope: linear attack, decay to the sustain level while the note is held, linear
  release after it is let go.
* Filter: the RBJ audio-cookbook second-order low-pass, run with
  ``torchaudio.functional.lfilter`` (one filter per row).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import torch
import torchaudio.functional as AF

from genenvs.audio.melody import DEFAULT_QPM, melody_notes


# ----------------------------------------------------------------------------- building blocks
def midi_to_hz(midi: torch.Tensor | float) -> torch.Tensor:
    return 440.0 * 2.0 ** ((torch.as_tensor(midi, dtype=torch.float64) - 69.0) / 12.0)


def _polyblep(phase: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
    """PolyBLEP residual of a unit downward step at phase 0 (phase in [0, 1), dt = f / sr).

    Within one sample after the step the residual is ``-(1 - phase/dt)^2``, within one
    sample before it ``(1 + (phase - 1)/dt)^2``, and zero elsewhere.
    """
    after = torch.clamp(1.0 - phase / dt, min=0.0)
    before = torch.clamp(1.0 + (phase - 1.0) / dt, min=0.0)
    return before * before - after * after


def sine(phase: torch.Tensor) -> torch.Tensor:
    return torch.sin(2 * math.pi * phase)


def sawtooth(phase: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
    """Band-limited rising sawtooth in [-1, 1]."""
    return 2.0 * phase - 1.0 - _polyblep(phase, dt)


def square(phase: torch.Tensor, dt: torch.Tensor) -> torch.Tensor:
    """Band-limited square wave: the difference of two sawtooths half a period apart."""
    return sawtooth(phase, dt) - sawtooth(torch.remainder(phase + 0.5, 1.0), dt)


def adsr(t: torch.Tensor, gate: torch.Tensor, attack: torch.Tensor, decay: torch.Tensor, sustain: torch.Tensor, release: torch.Tensor) -> torch.Tensor:
    """Envelope level at ``t`` seconds after the onset of a note held for ``gate`` seconds.

    Parameters broadcast against ``t`` (e.g. ``(B, 1)`` parameters, ``(1, T)`` times).
    """

    def held(x: torch.Tensor) -> torch.Tensor:
        return torch.clamp(x / attack, max=1.0) - (1.0 - sustain) * torch.clamp((x - attack) / decay, 0.0, 1.0)

    gate = torch.as_tensor(gate, dtype=t.dtype)
    released = held(gate) * torch.clamp(1.0 - (t - gate) / release, 0.0, 1.0)
    return torch.where(t < gate, held(t), released)


def lowpass(audio: torch.Tensor, sample_rate: int, cutoff: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """RBJ biquad low-pass, one ``(cutoff, q)`` per row of ``audio`` ``(B, T)``."""
    cutoff = torch.clamp(torch.as_tensor(cutoff, dtype=audio.dtype), max=0.45 * sample_rate)
    q = torch.as_tensor(q, dtype=audio.dtype)
    w0 = 2 * math.pi * cutoff / sample_rate
    alpha = torch.sin(w0) / (2 * q)
    cos = torch.cos(w0)
    a0 = 1 + alpha
    b = torch.stack([(1 - cos) / 2, 1 - cos, (1 - cos) / 2], dim=-1) / a0[..., None]
    a = torch.stack([torch.ones_like(cos), -2 * cos / a0, (1 - alpha) / a0], dim=-1)
    b = b.expand(audio.shape[0], 3).contiguous()
    a = a.expand(audio.shape[0], 3).contiguous()
    return AF.lfilter(audio, a, b, clamp=False, batching=True)


# ----------------------------------------------------------------------------- melodies
@dataclasses.dataclass(frozen=True)
class MelodyVoice:
    """The fixed timbre AudioGen melodies are played with (a soft synth lead)."""

    sine: float = 0.7
    sawtooth: float = 0.3
    attack: float = 0.01
    decay: float = 0.12
    sustain: float = 0.6
    release: float = 0.06
    cutoff: float = 3000.0
    q: float = 0.707
    amplitude: float = 0.5


def render_melody(events: Sequence[int], sample_rate: int = 16000, qpm: float = DEFAULT_QPM, voice: MelodyVoice = MelodyVoice()) -> np.ndarray:
    """Waveform (float32, mono, ``len(events)`` sixteenth notes long) of an event sequence.

    Monophonic: a note sounds from its onset to the next onset or note-off, then
    releases until the next onset (which cuts the release tail).
    """
    step_seconds = 60.0 / qpm / 4.0
    total = int(round(len(events) * step_seconds * sample_rate))
    notes = melody_notes(events)
    if not notes:
        return np.zeros(total, dtype=np.float32)
    starts = [int(round(n.start * step_seconds * sample_rate)) for n in notes]
    bounds = starts + [total]
    lengths = torch.tensor([b - a for a, b in zip(bounds[:-1], bounds[1:])])
    which = torch.repeat_interleave(torch.arange(len(notes)), lengths)  # the note each sample belongs to
    t = (torch.arange(starts[0], total) - torch.tensor(starts)[which]).float() / sample_rate  # time since onset
    gates = torch.tensor([(n.end - n.start) * step_seconds for n in notes], dtype=torch.float32)[which]
    dt64 = (midi_to_hz(torch.tensor([n.pitch for n in notes], dtype=torch.float64)) / sample_rate)[which]
    phase = torch.remainder(torch.cumsum(dt64, 0), 1.0).float()  # float64 sum: no drift over 100k samples
    dt = dt64.float()
    tone = voice.sine * sine(phase) + voice.sawtooth * sawtooth(phase, dt)
    env = adsr(t, gates, torch.tensor(voice.attack), torch.tensor(voice.decay), torch.tensor(voice.sustain), torch.tensor(voice.release))
    audio = torch.zeros(1, total)
    audio[0, starts[0] :] = voice.amplitude * tone * env  # silence before the first onset
    audio = lowpass(audio, sample_rate, torch.tensor(voice.cutoff), torch.tensor(voice.q))
    return audio[0].numpy()


# ----------------------------------------------------------------------------- SynthMatch's instrument
@dataclasses.dataclass(frozen=True)
class SynthParam:
    """One synthesiser parameter and how ``u`` in [-1, 1] maps onto its range."""

    name: str
    low: float
    high: float
    log_scale: bool
    unit: str

    def to_physical(self, u: torch.Tensor) -> torch.Tensor:
        frac = (u + 1.0) / 2.0
        if self.log_scale:
            return torch.exp(math.log(self.low) + frac * (math.log(self.high) - math.log(self.low)))
        return self.low + frac * (self.high - self.low)


#: The parameters of :class:`Synth`, in action order.
SYNTH_PARAMS: tuple[SynthParam, ...] = (
    SynthParam("pitch", 45.0, 81.0, False, "MIDI"),  # A2 (110 Hz) .. A5 (880 Hz)
    SynthParam("sine", 0.0, 1.0, False, "gain"),
    SynthParam("sawtooth", 0.0, 1.0, False, "gain"),
    SynthParam("square", 0.0, 1.0, False, "gain"),
    SynthParam("attack", 0.005, 0.2, True, "s"),
    SynthParam("decay", 0.01, 0.3, True, "s"),
    SynthParam("sustain", 0.0, 1.0, False, "level"),
    SynthParam("release", 0.01, 0.2, True, "s"),
    SynthParam("cutoff", 200.0, 7000.0, True, "Hz"),
    SynthParam("resonance", 0.5, 4.0, True, "Q"),
)
PARAM_NAMES = tuple(p.name for p in SYNTH_PARAMS)


class Synth:
    """Renders one note per row from normalised parameters ``u`` ``(B, 10)`` in [-1, 1].

    The note is held for ``gate_fraction`` of ``duration`` and then released; the three
    oscillators are mixed with their gains (divided by 3), low-pass filtered and shaped by
    the ADSR envelope.
    """

    def __init__(self, sample_rate: int = 16000, duration: float = 0.5, gate_fraction: float = 0.6) -> None:
        if sample_rate < 8000:
            raise ValueError(f"sample_rate must be at least 8000 Hz, got {sample_rate}")
        if not 0.05 <= duration <= 4.0:
            raise ValueError(f"duration must lie in [0.05, 4] seconds, got {duration}")
        self.sample_rate = int(sample_rate)
        self.duration = float(duration)
        self.gate_fraction = float(gate_fraction)
        self.num_samples = int(round(self.sample_rate * self.duration))

    @property
    def num_params(self) -> int:
        return len(SYNTH_PARAMS)

    def params(self) -> dict:
        return {"sample_rate": self.sample_rate, "duration": self.duration, "gate_fraction": self.gate_fraction, "params": [dataclasses.asdict(p) for p in SYNTH_PARAMS]}

    def physical(self, u: np.ndarray | torch.Tensor) -> dict[str, np.ndarray]:
        """Parameter values in their units, name -> ``(B,)``."""
        u = torch.as_tensor(np.asarray(u), dtype=torch.float64).reshape(-1, self.num_params)
        return {p.name: p.to_physical(u[:, i]).numpy() for i, p in enumerate(SYNTH_PARAMS)}

    @torch.no_grad()
    def render(self, u: np.ndarray | torch.Tensor) -> torch.Tensor:
        """Waveforms ``(B, num_samples)`` float32 for normalised parameters ``(B, 10)``."""
        u = torch.as_tensor(np.asarray(u), dtype=torch.float64).reshape(-1, self.num_params)
        p = {spec.name: spec.to_physical(u[:, i])[:, None] for i, spec in enumerate(SYNTH_PARAMS)}
        n = torch.arange(self.num_samples, dtype=torch.float64)[None, :]
        dt64 = midi_to_hz(p["pitch"]) / self.sample_rate
        phase = torch.remainder(dt64 * n, 1.0).float()  # float64 keeps the phase exact over many periods
        dt = dt64.float()
        p = {k: v.float() for k, v in p.items()}
        tone = (p["sine"] * sine(phase) + p["sawtooth"] * sawtooth(phase, dt) + p["square"] * square(phase, dt)) / 3.0
        t = (n / self.sample_rate).float()
        env = adsr(t, torch.tensor(self.gate_fraction * self.duration), p["attack"], p["decay"], p["sustain"], p["release"])
        # Oscillators -> filter -> amplifier, the classic subtractive order; shaping after the
        # filter also keeps its state away from slow subnormal floats once the note has died.
        return lowpass(tone, self.sample_rate, p["cutoff"][:, 0], p["resonance"][:, 0]) * env
