"""Audio domain: AudioGen-v0 (RL Tuner melody composition) and SynthMatch-v0 (sound matching).

Public API (loaded lazily, so ``import genenvs`` does not import torch audio code):
``melody_metrics`` (RL Tuner's evaluation statistics), ``music_theory_rewards`` /
``music_theory_total`` (the rules, per step), ``render_melody`` / ``Synth`` (the torch
synthesiser), ``write_wav`` / ``write_midi``, ``load_prior`` / ``sample_melodies`` (the
shipped Note RNN), ``MelodyTask``, ``SynthMatchEnv``, ``SynthMatchVectorEnv``.
"""

from __future__ import annotations

from genenvs.core.lazy import lazy_attributes

_LAZY = {
    "melody_metrics": "genenvs.audio.metrics",
    "music_theory_rewards": "genenvs.audio.rewards",
    "music_theory_total": "genenvs.audio.rewards",
    "RULE_NAMES": "genenvs.audio.rewards",
    "render_melody": "genenvs.audio.synth",
    "Synth": "genenvs.audio.synth",
    "SYNTH_PARAMS": "genenvs.audio.synth",
    "write_wav": "genenvs.audio.io",
    "write_midi": "genenvs.audio.io",
    "read_wav": "genenvs.audio.io",
    "load_prior": "genenvs.audio.prior",
    "sample_melodies": "genenvs.audio.prior",
    "load_melodies": "genenvs.audio.prior",
    "MelodyTask": "genenvs.audio.tasks",
    "SynthMatchEnv": "genenvs.audio.env",
    "SynthMatchVectorEnv": "genenvs.audio.env",
    "events_from_names": "genenvs.audio.melody",
    "events_to_names": "genenvs.audio.melody",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_attributes(__name__, _LAZY)
