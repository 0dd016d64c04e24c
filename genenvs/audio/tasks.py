"""AudioGen-v0's task: RL Tuner melody composition (Jaques et al., 2017).

A melody is 32 sixteenth-note steps (two bars of 4/4 in C major), each one of RL Tuner's
38 actions. On the genenvs vocabulary the actions are token ids 1..38 (id = action + 1)
because id 0 is the suite-wide ``<end>`` token. Here ``min_length = max_length = 32``:
``<end>`` is masked at every step and the episode ends by length after exactly 32 steps,
so every episode is one whole melody, as in RL Tuner. (In the sample-level view a token
array that stops early is an invalid melody and scores the invalid score.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from genenvs.audio.melody import (
    DEFAULT_QPM,
    MELODY_STEPS,
    actions_to_events,
    events_from_names,
    events_to_actions,
    events_to_names,
    ids_to_actions,
    melody_vocabulary,
)
from genenvs.audio.rewards import UniqueExtrema, check_rule_names
from genenvs.core.task import Context, TokenTask


class MelodyTask(TokenTask):
    """Compose a 32-step monophonic melody scored by RL Tuner's music-theory rules.

    Args:
        c: RL Tuner's constant; every music-theory term is multiplied by ``1/c``.
        rules: names of the music-theory rules to use (default all, see
            :data:`genenvs.audio.rewards.RULE_NAMES`); rules left out contribute 0.
        render_audio: put the rendered waveform in ``info["audio"]`` at episode end. Off
            by default: synthesising 6 s of sound costs far more than the episode itself,
            and training never reads it; render the melodies you keep with
            :func:`genenvs.audio.synth.render_melody` (``info["sample"]`` holds the events).
        sample_rate, qpm: how the melody is rendered.

    ``render_audio``, ``sample_rate`` and ``qpm`` do not change the reward, so they are
    :attr:`non_scoring_kwargs`: left out of the provenance hash.

    The end-of-episode scorer is the unique-extrema rule (the only rule RL Tuner checks on
    the last note alone); every other rule is a per-step term built by
    :func:`genenvs.audio.env.build_audiogen`.
    """

    name = "audiogen"
    version = "1"
    accepts_text = True
    non_scoring_kwargs = frozenset({"render_audio", "sample_rate", "qpm"})

    def __init__(self, c: float = 0.5, rules: Sequence[str] | None = None, render_audio: bool = False, sample_rate: int = 16000, qpm: float = DEFAULT_QPM) -> None:
        if not c > 0:
            raise ValueError(f"c must be > 0 (the music-theory reward is divided by c), got {c}")
        if not 8000 <= sample_rate <= 48000:
            raise ValueError(f"sample_rate must lie in [8000, 48000] Hz, got {sample_rate}")
        if not qpm > 0:
            raise ValueError(f"qpm (tempo, quarter notes per minute) must be > 0, got {qpm}")
        self.c = float(c)
        self.rules = check_rule_names(rules)
        self.render_audio = bool(render_audio)
        self.sample_rate = int(sample_rate)
        self.qpm = float(qpm)
        self.vocab = melody_vocabulary()
        self.max_length = MELODY_STEPS
        self.min_length = MELODY_STEPS
        self.max_text_length = 4 * MELODY_STEPS
        scale = 1.0 / self.c if UniqueExtrema.name in self.rules else 0.0
        self.scorer = UniqueExtrema(scale, MELODY_STEPS)

    def params(self) -> dict[str, Any]:
        return {"c": self.c, "rules": self.rules}

    def reference_model_path(self) -> str:
        from genenvs.audio.prior import prior_path

        return str(prior_path())

    def data_checksums(self) -> dict[str, str]:
        return {}  # the Note RNN's checksum is part of the KL-control term's identity

    # ------------------------------------------------------------------ decoding
    def decode(self, ids: np.ndarray, context: Context) -> tuple[list[int], bool]:
        events = actions_to_events(ids_to_actions(ids))
        return events, len(events) == MELODY_STEPS

    def encode(self, sample: Any, context: Context | None = None) -> np.ndarray:
        """Token ids (action + 1) of a melody, then ``<end>``.

        ``sample`` is a list of 32 events (MIDI pitch, -1 note-off, -2 hold) or a string of
        names such as ``"C4 - - - E4 - off G4 ..."``.
        """
        events = events_from_names(sample) if isinstance(sample, str) else list(sample)
        if len(events) != MELODY_STEPS:
            raise ValueError(f"an AudioGen melody has exactly {MELODY_STEPS} steps, got {len(events)}")
        return np.append(events_to_actions(events) + 1, self.vocab.end_id)

    def canonical(self, sample: Any) -> tuple[int, ...]:
        return tuple(int(e) for e in sample)

    # ------------------------------------------------------------------ display
    def render_text(self, sample: Any, partial_ids: np.ndarray, context: Context) -> str:
        events = sample if sample is not None else actions_to_events(ids_to_actions(partial_ids))
        return events_to_names(events)

    def render_rgb(self, sample: Any, partial_ids: np.ndarray, context: Context) -> np.ndarray:
        from genenvs.audio.render import piano_roll

        events = sample if sample is not None else actions_to_events(ids_to_actions(partial_ids))
        return piano_roll(events)

    def episode_info(self, sample: Any, context: Context) -> dict[str, Any]:
        info: dict[str, Any] = {"notes": events_to_names(sample)}
        if self.render_audio:
            from genenvs.audio.synth import render_melody

            info["audio"] = render_melody(sample, self.sample_rate, self.qpm)
            info["sample_rate"] = self.sample_rate
        return info
