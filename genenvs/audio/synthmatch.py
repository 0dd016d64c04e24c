"""Array-backed state of n SynthMatch episodes (the single env is n = 1).

Sound matching: each episode hides a target parameter vector of :class:`~genenvs.audio.synth.Synth`
(drawn from the episode's seeded generator) and shows the agent the target's log-mel
spectrogram; the agent answers with synthesiser parameters and is rewarded with the
negative multi-resolution spectral distance (:mod:`genenvs.audio.spectral`) between its
sound and the target. Every step renders and scores all stepping rows in one batched call.

Two modes, chosen by ``num_steps``:

* ``num_steps=1`` (default, sample-level): the action is the parameter vector ``u`` in
  [-1, 1]^10; reward ``= -(d_stft + d_mel)``, at most 0 (exact match).
* ``num_steps=K > 1``: parameters start at the centre (``u = 0``); each action is a change,
  ``u <- clip(u + max_delta * a, -1, 1)``; each step is rewarded with the decrease of
  each distance part, so the return is ``d(start) - d(final)`` and is maximal exactly
  when the final sound matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from gymnasium import spaces

from genenvs.audio.spectral import LOG_MEL_MAX, LOG_MEL_MIN, SpectralDistance
from genenvs.audio.synth import PARAM_NAMES, Synth
from genenvs.core.errors import InvalidActionError
from genenvs.core.rescoring import RECORD_KEY, dumps_record, result_of_final_infos
from genenvs.rewards.base import ScoreResult

COMPONENTS = ("log_stft", "log_mel")
#: How far outside [-1, 1] an action may stray (float round-off) before it is rejected.
ACTION_TOLERANCE = 1e-5


class SynthMatchEpisodes:
    """The dynamics and reward of ``num_rows`` SynthMatch episodes."""

    name = "synthmatch"
    version = "1"

    def __init__(self, num_rows: int, num_steps: int = 1, duration: float = 0.5, sample_rate: int = 16000, max_delta: float = 0.25) -> None:
        if int(num_steps) != num_steps or num_steps < 1:
            raise ValueError(f"num_steps must be a positive integer (1 = one-shot matching), got {num_steps!r}")
        if not 0 < max_delta <= 2:
            raise ValueError(f"max_delta must lie in (0, 2], got {max_delta}")
        self.n = int(num_rows)
        self.num_steps = int(num_steps)
        self.max_delta = float(max_delta)
        self.synth = Synth(sample_rate, duration)
        self.spectral = SpectralDistance(self.synth.sample_rate)
        self.D = self.synth.num_params

        probe = self.spectral.features(torch.zeros(1, self.synth.num_samples))
        self.target_features = {k: torch.zeros((self.n, *v.shape[1:])) for k, v in probe.items()}
        self.mel_shape = tuple(probe["log_mel"].shape[1:])
        self.target = np.zeros((self.n, self.D), dtype=np.float32)
        self.params = np.zeros((self.n, self.D), dtype=np.float32)
        self.current_mel = np.full((self.n, *self.mel_shape), LOG_MEL_MIN, dtype=np.float32)
        self.last_distance = {c: np.zeros(self.n) for c in COMPONENTS}
        self.totals = {c: np.zeros(self.n) for c in COMPONENTS}
        self.t = np.zeros(self.n, dtype=np.int64)
        self.done = np.ones(self.n, dtype=bool)
        self.last_audio: list[np.ndarray | None] = [None] * self.n

    # ------------------------------------------------------------------ spaces and identity
    def single_observation_space(self) -> spaces.Dict:
        mel = spaces.Box(LOG_MEL_MIN, LOG_MEL_MAX, self.mel_shape, dtype=np.float32)
        fields: dict[str, spaces.Space] = {"target": mel}
        if self.num_steps > 1:
            fields.update(current=mel, params=spaces.Box(-1.0, 1.0, (self.D,), dtype=np.float32), step=spaces.Discrete(self.num_steps + 1))
        return spaces.Dict(fields)

    def single_action_space(self) -> spaces.Box:
        return spaces.Box(-1.0, 1.0, (self.D,), dtype=np.float32)

    def identity(self) -> dict[str, Any]:
        return {
            "task": self.name,
            "version": self.version,
            "params": {"num_steps": self.num_steps, "max_delta": self.max_delta, "start": "centre", "synth": self.synth.params(), "distance": self.spectral.params()},
        }

    # ------------------------------------------------------------------ episodes
    def reset_rows(self, rows: np.ndarray, rngs: Sequence[np.random.Generator], targets: Sequence[np.ndarray | None] | None = None) -> None:
        """Start episodes in ``rows``; ``rngs[i]`` draws the hidden target of ``rows[i]`` unless ``targets[i]`` is given."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        for k, row in enumerate(rows):
            given = None if targets is None else targets[k]
            self.target[row] = rngs[k].uniform(-1.0, 1.0, self.D).astype(np.float32) if given is None else self._check_target(given)
        feats = self.spectral.features(self.synth.render(self.target[rows]))
        for key, value in feats.items():
            self.target_features[key][rows] = value
        self.params[rows] = 0.0
        self.t[rows] = 0
        self.done[rows] = False
        for c in COMPONENTS:
            self.totals[c][rows] = 0.0
        for row in rows:
            self.last_audio[row] = None
        for c in COMPONENTS:
            self.last_distance[c][rows] = np.nan  # unknown until the first sound (num_steps=1)
        if self.num_steps > 1:  # the starting sound is part of the observation and the baseline distance
            audio, current = self._render(rows)
            dist = self.spectral.distance(current, self._target(rows))
            for c in COMPONENTS:
                self.last_distance[c][rows] = dist[c].numpy()

    def _check_target(self, target: Any) -> np.ndarray:
        u = np.asarray(target, dtype=np.float32)
        if u.shape != (self.D,) or not np.all(np.abs(u) <= 1.0):
            raise ValueError(f"target_params must be {self.D} normalised values in [-1, 1] ({', '.join(PARAM_NAMES)}), got {target!r}")
        return u

    def _target(self, rows: np.ndarray) -> dict[str, torch.Tensor]:
        idx = torch.as_tensor(rows)
        return {k: v[idx] for k, v in self.target_features.items()}

    def _render(self, rows: np.ndarray) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        audio = self.synth.render(self.params[rows])
        feats = self.spectral.features(audio)
        self.current_mel[rows] = feats["log_mel"].numpy()
        return audio, feats

    def check_actions(self, actions: Any) -> np.ndarray:
        arr = np.asarray(actions)
        if arr.shape != (self.n, self.D):
            raise InvalidActionError(f"expected action(s) of shape ({self.n}, {self.D}) ({', '.join(PARAM_NAMES)}), got shape {arr.shape}")
        if not np.issubdtype(arr.dtype, np.number) or not np.all(np.isfinite(arr)):
            raise InvalidActionError("actions must be finite numbers in [-1, 1]")
        if np.any(np.abs(arr) > 1.0 + ACTION_TOLERANCE):
            raise InvalidActionError(f"actions must lie in [-1, 1] (got values from {arr.min():.3f} to {arr.max():.3f}); clip them or squash with tanh")
        return np.clip(arr, -1.0, 1.0).astype(np.float32)

    def step(self, actions: Any, active: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], dict[int, dict]]:
        """Advance the active unfinished rows; returns ``(rewards, finished, step_info, final_infos)``.

        ``step_info`` holds ``distance`` and ``param_error`` arrays (valid for stepping rows).
        """
        acts = self.check_actions(actions)
        stepping = ~self.done if active is None else (active & ~self.done)
        rows = np.flatnonzero(stepping)
        rewards = np.zeros(self.n)
        finished = np.zeros(self.n, dtype=bool)
        distance = np.zeros(self.n)
        param_error = np.zeros(self.n)
        if rows.size == 0:
            return rewards, finished, {"distance": distance, "param_error": param_error}, {}
        if self.num_steps == 1:
            self.params[rows] = acts[rows]
        else:
            self.params[rows] = np.clip(self.params[rows] + self.max_delta * acts[rows], -1.0, 1.0)
        audio, feats = self._render(rows)
        dist = {c: v.numpy() for c, v in self.spectral.distance(feats, self._target(rows)).items()}
        for c in COMPONENTS:
            term = -dist[c] if self.num_steps == 1 else self.last_distance[c][rows] - dist[c]
            self.last_distance[c][rows] = dist[c]
            self.totals[c][rows] += term
            rewards[rows] += term
        distance[rows] = dist["log_stft"] + dist["log_mel"]
        errors = np.abs(self.params[rows] - self.target[rows])
        param_error[rows] = errors.mean(axis=1)
        self.t[rows] += 1
        ends = rows[self.t[rows] >= self.num_steps]
        finished[ends] = True
        self.done[ends] = True
        audio_np = audio.numpy()
        final: dict[int, dict] = {}
        for k, row in enumerate(rows):
            self.last_audio[row] = audio_np[k]
            if finished[row]:
                final[int(row)] = self._final_info(int(row), audio_np[k], errors[k], distance[row])
        return rewards, finished, {"distance": distance, "param_error": param_error}, final

    def _final_info(self, row: int, audio: np.ndarray, errors: np.ndarray, distance: float) -> dict[str, Any]:
        physical = self.synth.physical(self.params[row])
        target = self.synth.physical(self.target[row])
        return {
            "sample": audio.copy(),
            "valid": True,
            "score": -float(distance),
            "reward_components": {c: float(self.totals[c][row]) for c in COMPONENTS},
            "distance": float(distance),
            "param_error": float(errors.mean()),
            "param_errors": {name: float(e) for name, e in zip(PARAM_NAMES, errors)},
            "params": {name: float(v[0]) for name, v in physical.items()},
            "target_params": {name: float(v[0]) for name, v in target.items()},
            "sample_rate": self.synth.sample_rate,
            RECORD_KEY: dumps_record({"params": self.params[row].tolist(), "target": self.target[row].tolist()}),
        }

    def score_records(self, records: Sequence[dict[str, Any]]) -> ScoreResult:
        """Score stored ``{"params", "target"}`` records: ``-(d_stft + d_mel)`` of the final sound, the episode's score.

        The score depends on the final parameters only (also with ``num_steps > 1``), so one
        one-shot step of a fresh engine per record reproduces it.
        """
        n = len(records)
        replay = SynthMatchEpisodes(n, 1, self.synth.duration, self.synth.sample_rate, self.max_delta)
        replay.reset_rows(np.arange(n), [np.random.default_rng(0)] * n, [np.asarray(r["target"], dtype=np.float32) for r in records])
        params = np.asarray([r["params"] for r in records], dtype=np.float32).reshape(n, self.D)
        final = replay.step(params)[3]
        return result_of_final_infos([final[i] for i in range(n)])

    # ------------------------------------------------------------------ views
    def row_observation(self, row: int) -> dict[str, Any]:
        obs: dict[str, Any] = {"target": self.target_features["log_mel"][row].numpy().copy()}
        if self.num_steps > 1:
            obs.update(current=self.current_mel[row].copy(), params=self.params[row].copy(), step=int(self.t[row]))
        return obs

    def observation(self) -> dict[str, Any]:
        obs: dict[str, Any] = {"target": self.target_features["log_mel"].numpy().copy()}
        if self.num_steps > 1:
            obs.update(current=self.current_mel.copy(), params=self.params.copy(), step=self.t.copy())
        return obs

    def describe(self, row: int) -> str:
        target = self.synth.physical(self.target[row])
        current = self.synth.physical(self.params[row])
        fmt = lambda d: " ".join(f"{k}={v[0]:.3g}" for k, v in d.items())  # noqa: E731
        dist = self.last_distance["log_stft"][row] + self.last_distance["log_mel"][row]
        shown = "n/a" if np.isnan(dist) else f"{dist:.4f}"
        return f"target : {fmt(target)}\ncurrent: {fmt(current)}\nstep {self.t[row]}/{self.num_steps} distance={shown}"
