"""Audio environments: AudioGen-v0 (RL Tuner melodies) and SynthMatch-v0 (sound matching).

AudioGen-v0 is token-level and built by the core factory from :class:`MelodyTask`;
keyword arguments of ``gym.make`` / ``gym.make_vec``:

* ``c`` (default 0.5): RL Tuner's constant, ``r = log p(a|s) + r_MT / c``;
* ``kl_coef`` (default 1.0): weight ``beta`` of the Note RNN's ``log p(a|s)`` term
  (the ``kl_prior`` component; 0 drops it);
* ``rules``: subset of the music-theory rules (default all; unknown names raise);
* ``render_audio`` (default False), ``sample_rate`` (16000), ``qpm`` (80): the rendered
  waveform in ``info["audio"]`` (display only: not part of the provenance hash);
* ``granularity`` (``"token"`` or ``"sample"``), ``render_mode`` (``"ansi"``,
  ``"rgb_array"``), ``on_invalid_action``, and for vector envs ``autoreset_mode``.

SynthMatch-v0 is a plain :class:`gymnasium.Env` (:class:`SynthMatchEnv`) with a native
batched vector env (:class:`SynthMatchVectorEnv`); see :mod:`genenvs.audio.synthmatch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from genenvs.audio.melody import DEFAULT_QPM
from genenvs.audio.prior import prior_path
from genenvs.audio.rewards import step_rules
from genenvs.audio.synthmatch import SynthMatchEpisodes
from genenvs.audio.tasks import MelodyTask
from genenvs.core.errors import EpisodeOverError, InvalidActionError
from genenvs.core.factory import entry_points
from genenvs.core.provenance import provenance_record
from genenvs.rewards.base import ScoreResult
from genenvs.rewards.kl_control import KLControl


# ============================================================================ AudioGen-v0
def build_audiogen(c: float = 0.5, kl_coef: float = 1.0, rules: Sequence[str] | None = None, render_audio: bool = False, sample_rate: int = 16000, qpm: float = DEFAULT_QPM):
    """RL Tuner's melody task and its per-step terms: the Note RNN's log-prob and the rules / c."""
    if kl_coef < 0:
        raise ValueError(f"kl_coef must be >= 0, got {kl_coef}")
    task = MelodyTask(c, rules, render_audio, sample_rate, qpm)
    step_scorers = [KLControl.from_file(str(prior_path()), beta=kl_coef)] if kl_coef else []
    step_scorers += step_rules(task.rules, 1.0 / task.c, task.max_length)
    return task, step_scorers


build_audiogen.__doc__ = __doc__
make_audiogen, make_audiogen_vec = entry_points(build_audiogen)


# ============================================================================ SynthMatch-v0
class SynthMatchEnv(gym.Env):
    """Recover the hidden synthesiser parameters of a target sound.

    * **Observation** (``Dict``): ``target`` float32 ``(64, 32)``, the target's log-mel
      spectrogram (``log(power + 1e-5)``, 1024-point FFT, hop 256, 0.5 s at 16 kHz).
      With ``num_steps > 1`` also ``current`` (the same for the current sound), ``params``
      float32 ``(10,)`` (current normalised parameters) and ``step`` (``Discrete(num_steps+1)``).
    * **Action**: ``Box(-1, 1, (10,), float32)``: normalised pitch, sine / sawtooth / square
      gains, attack, decay, sustain, release, cutoff, resonance
      (:data:`genenvs.audio.synth.SYNTH_PARAMS`); with ``num_steps > 1`` a change of them,
      scaled by ``max_delta``.
    * **Reward**: ``-(d_stft + d_mel)`` (one step; 0 is an exact match), or with
      ``num_steps > 1`` the decrease of each distance per step. Components ``log_stft`` and
      ``log_mel`` in ``info["reward_components"]``.
    * **Info**: ``distance`` and ``param_error`` (mean absolute error of the normalised
      parameters) every step; at the end ``sample`` (the rendered waveform), ``valid``,
      ``score`` (= ``-distance`` of the final sound), ``reward_components``,
      ``param_errors``, ``params`` and ``target_params`` (in physical units), and
      ``sample_record`` (final and target parameters as JSON text, which
      :meth:`score_records` scores again).

    Args:
        num_steps: 1 (default) for one-shot matching, K > 1 for K parameter changes.
        duration, sample_rate: length and rate of the sounds (0.5 s, 16 kHz).
        max_delta: largest change per step of a normalised parameter (``num_steps > 1``).
        render_mode: ``"ansi"`` (parameters and distance) or ``"rgb_array"``
            (target and current log-mel spectrograms side by side).

    ``reset(options={"target_params": u})`` sets the target instead of drawing it.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 1}

    def __init__(self, render_mode: str | None = None, num_steps: int = 1, duration: float = 0.5, sample_rate: int = 16000, max_delta: float = 0.25) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.render_mode = render_mode
        self._episodes = SynthMatchEpisodes(1, num_steps, duration, sample_rate, max_delta)
        self._kwargs = {"num_steps": num_steps, "duration": duration, "sample_rate": sample_rate, "max_delta": max_delta}
        self.observation_space = self._episodes.single_observation_space()
        self.action_space = self._episodes.single_action_space()
        self._started = False

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        target = (options or {}).get("target_params")
        self._episodes.reset_rows(np.array([0]), [self.np_random], None if target is None else [target])
        self._started = True
        return self._episodes.row_observation(0), {}

    def step(self, action):
        ep = self._episodes
        if not self._started:
            raise EpisodeOverError("step() called before reset()")
        if ep.done[0]:
            raise EpisodeOverError("step() called after the episode ended; call reset() first")
        action = np.asarray(action)
        if action.shape != (ep.D,):
            raise InvalidActionError(f"expected an action of shape ({ep.D},), got shape {action.shape}")
        rewards, finished, step_info, final = ep.step(action[None])
        info = final.get(0, {"distance": float(step_info["distance"][0]), "param_error": float(step_info["param_error"][0])})
        return ep.row_observation(0), float(rewards[0]), bool(finished[0]), False, info

    def render(self):
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi' or 'rgb_array' to gym.make")
            return None
        ep = self._episodes
        if self.render_mode == "ansi":
            return ep.describe(0)
        from genenvs.audio.render import spectrogram_panels
        from genenvs.audio.spectral import LOG_MEL_MAX, LOG_MEL_MIN

        panels = [ep.target_features["log_mel"][0].numpy()]
        if ep.last_audio[0] is not None or ep.num_steps > 1:
            panels.append(ep.current_mel[0])
        return spectrogram_panels(panels, LOG_MEL_MIN, LOG_MEL_MAX)

    @property
    def provenance(self) -> dict[str, Any]:
        env_id = self.spec.id if self.spec is not None else None
        return provenance_record(env_id, "sample" if self._episodes.num_steps == 1 else "step", self._kwargs, self._episodes.identity(), [])

    def score_records(self, records: list[dict[str, Any]]) -> ScoreResult:
        """Score parsed ``info["sample_record"]`` records as this environment scored them."""
        return self._episodes.score_records(records)


class SynthMatchVectorEnv(VectorEnv):
    """``num_envs`` SynthMatch episodes; every step renders and scores all of them in one batch.

    Same observations, actions, rewards and infos as :class:`SynthMatchEnv`; seeds follow
    ``SyncVectorEnv`` (env i gets ``seed + i``), so returns match it for the same seeds
    and actions. Supports the NEXT_STEP (default) and SAME_STEP autoreset modes.
    """

    metadata = {"render_modes": [], "autoreset_mode": AutoresetMode.NEXT_STEP}

    def __init__(self, num_envs: int, num_steps: int = 1, duration: float = 0.5, sample_rate: int = 16000, max_delta: float = 0.25, autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP, render_mode: str | None = None) -> None:
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        if render_mode is not None:
            raise ValueError("the SynthMatch vector env does not render; render a single SynthMatchEnv instead")
        mode = AutoresetMode(autoreset_mode) if not isinstance(autoreset_mode, AutoresetMode) else autoreset_mode
        if mode not in (AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP):
            raise ValueError(f"autoreset_mode must be NEXT_STEP or SAME_STEP, got {mode}")
        self.num_envs = int(num_envs)
        self.autoreset_mode = mode
        self.metadata = {**self.metadata, "autoreset_mode": mode}
        self.render_mode = None
        self._episodes = SynthMatchEpisodes(self.num_envs, num_steps, duration, sample_rate, max_delta)
        self._kwargs = {"num_steps": num_steps, "duration": duration, "sample_rate": sample_rate, "max_delta": max_delta}
        self.single_observation_space = self._episodes.single_observation_space()
        self.single_action_space = self._episodes.single_action_space()
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._needs_reset = np.zeros(self.num_envs, dtype=bool)
        self._rngs = [seeding.np_random(None)[0] for _ in range(self.num_envs)]

    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            seeds = [seed + i for i in range(self.num_envs)] if isinstance(seed, int) else list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"got {len(seeds)} seeds for {self.num_envs} environments")
            self._rngs = [seeding.np_random(s)[0] for s in seeds]
        self._episodes.reset_rows(np.arange(self.num_envs), self._rngs)
        self._needs_reset[:] = False
        return self._episodes.observation(), {}

    def step(self, actions):
        ep = self._episodes
        resetting = self._needs_reset.copy()
        actions = np.asarray(actions)
        if resetting.any() and actions.shape == (self.num_envs, ep.D):
            actions = np.where(resetting[:, None], 0.0, actions)  # rows being reset ignore their action
        rewards, finished, step_info, final = ep.step(actions, active=~resetting)
        if resetting.any():
            rows = np.flatnonzero(resetting)
            ep.reset_rows(rows, [self._rngs[r] for r in rows])
        stepped = ~resetting
        infos: dict[str, Any] = {}
        for key, values in step_info.items():
            infos[key], infos[f"_{key}"] = values, stepped
        if self.autoreset_mode == AutoresetMode.SAME_STEP and finished.any():
            rows = np.flatnonzero(finished)
            final_obs = {int(r): ep.row_observation(int(r)) for r in rows}
            ep.reset_rows(rows, [self._rngs[r] for r in rows])
            for r in rows:
                infos = self._add_info(infos, {"final_obs": final_obs[int(r)], "final_info": final.pop(int(r))}, int(r))
            self._needs_reset[:] = False
        else:
            self._needs_reset = finished.copy()
        for row, info in sorted(final.items()):
            infos = self._add_info(infos, info, row)
        return ep.observation(), rewards, finished, np.zeros(self.num_envs, dtype=bool), infos

    @property
    def provenance(self) -> dict[str, Any]:
        env_id = self.spec.id if self.spec is not None else None
        return provenance_record(env_id, "sample" if self._episodes.num_steps == 1 else "step", self._kwargs, self._episodes.identity(), [])

    def score_records(self, records: list[dict[str, Any]]) -> ScoreResult:
        """Score parsed ``info["sample_record"]`` records as this environment scored them."""
        return self._episodes.score_records(records)
