"""ImageGen-v0 and StrokeGen-v0 as Gymnasium environments (one episode each).

Both are thin views of a batched engine (:class:`~genenvs.image.denoising.DenoisingEpisodes`,
:class:`~genenvs.image.painting.PaintingEpisodes`) with one row; the native vector
environments in :mod:`genenvs.image.vector_env` drive the same engines with ``num_envs``
rows, so a single env and a vector env give identical dynamics and rewards.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from genenvs.core.errors import EpisodeOverError, InvalidActionError
from genenvs.core.provenance import provenance_record
from genenvs.image.denoising import DenoisingEpisodes
from genenvs.image.digits import digits_checksum
from genenvs.image.painting import PaintingEpisodes
from genenvs.rewards.base import Scorer, ScoreResult

DEFAULT_NUM_STEPS = 20


def build_denoising(n: int, reward: str | Scorer = "classifier", kl_coef: float = 0.0, num_steps: int = DEFAULT_NUM_STEPS, eta: float = 1.0, reward_kwargs: dict[str, Any] | None = None) -> tuple[DenoisingEpisodes, dict[str, str]]:
    """The ImageGen-v0 engine for ``n`` episodes and the checksums of the data it reads."""
    from genenvs.image.diffusion import DDIMPolicy, NoiseSchedule
    from genenvs.image.pretrained import DENOISER_FILE, checksum, load_denoiser
    from genenvs.image.rewards import make_image_reward

    scorer = make_image_reward(reward, reward_kwargs)
    policy = DDIMPolicy(load_denoiser(), NoiseSchedule(), num_steps, eta)
    return DenoisingEpisodes(policy, scorer, n, kl_coef), {"denoiser": checksum(DENOISER_FILE), "digits": digits_checksum()}


def build_painting(n: int, reward: str = "l2", canvas_size: int = 32, max_steps: int = 10, strokes_per_step: int = 5, split: str = "train", reward_kwargs: dict[str, Any] | None = None) -> tuple[PaintingEpisodes, dict[str, str]]:
    """The StrokeGen-v0 engine for ``n`` episodes and the checksums of the data it reads."""
    return PaintingEpisodes(n, canvas_size, max_steps, strokes_per_step, split, reward, reward_kwargs), {"digits": digits_checksum()}


class _EngineEnv(gym.Env):
    """A Gymnasium env over row 0 of a batched engine."""

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(self, engine: Any, data: dict[str, str], render_mode: str | None, env_kwargs: dict[str, Any]) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.engine = engine
        self.render_mode = render_mode
        self.observation_space = engine.observation_space()
        self.action_space = engine.action_space()
        self._data = data
        self._env_kwargs = env_kwargs
        self._started = False

    def _reset_engine(self, options: dict[str, Any]) -> None:
        raise NotImplementedError

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._reset_engine(dict(options or {}))
        self._started = True
        return self.engine.row_observation(0), self.engine.row_step_info(0)

    def step(self, action):
        if not self._started:
            raise EpisodeOverError("step() called before reset()")
        if self.engine.done[0]:
            raise EpisodeOverError("step() called after the episode ended; call reset() first")
        a = np.asarray(action)
        if a.dtype.kind not in "fiu":
            raise InvalidActionError(f"expected a numeric array action, got dtype {a.dtype}")
        if a.shape != self.action_space.shape:
            raise InvalidActionError(f"expected an action of shape {self.action_space.shape}, got {a.shape}")
        rewards, finished, infos = self.engine.step(a[None].astype(np.float32), np.ones(1, dtype=bool))
        info = infos.get(0, {})
        info.update(self.engine.row_step_info(0))
        return self.engine.row_observation(0), float(rewards[0]), bool(finished[0]), False, info

    def render(self):
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi' or 'rgb_array' to gym.make")
            return None
        if not self._started:
            raise EpisodeOverError("render() called before reset()")
        return self.engine.render_rgb(0) if self.render_mode == "rgb_array" else self.engine.render_text(0)

    @property
    def provenance(self) -> dict[str, Any]:
        env_id = self.spec.id if self.spec is not None else None
        return provenance_record(env_id, "step", self._env_kwargs, self.engine.identity(self._data), self.engine.step_reward_identities(self._data))

    def score_records(self, records: list[dict[str, Any]]) -> ScoreResult:
        """Score parsed ``info["sample_record"]`` records as this environment scored them."""
        return self.engine.score_records(records)


class ImageGenEnv(_EngineEnv):
    """Denoise pure noise into a requested digit, one DDIM step per action (DDPO's MDP).

    * **Observation** (``Dict``): ``image`` float32 ``(1, 16, 16)`` the current ``x_t``
      (pixels in [-8, 8]; data lives in [-1, 1]); ``t`` the diffusion timestep of
      ``x_t`` (``Discrete(1000)``: 999 at reset, 0 at the end); ``step`` the number of
      denoising steps taken (``Discrete(num_steps + 1)``); ``context`` the requested
      digit (``Discrete(10)``).
    * **Action**: ``Box(-8, 8, (1, 16, 16), float32)``, the next image ``x_{t_prev}``; the
      transition copies it (deterministic dynamics, all sampling noise is the policy's).
    * **Reward**: ``reward`` of the final image ``x_0`` at the last step (see
      :data:`genenvs.image.rewards.IMAGE_REWARDS`); with ``kl_coef > 0`` every step adds
      ``-kl_coef * (||a - mean||^2 / (2 std^2) - d / 2)`` (component ``kl_pretrained``).
    * **Info**: while the episode runs, ``pretrained_mean`` float32 ``(1, 16, 16)`` and
      ``pretrained_std`` (float) of the shipped DDPM's Gaussian over the next image; at
      the end ``sample`` (float32 ``(16, 16)`` in [0, 1]), ``valid``, ``score``,
      ``reward_components``, ``label``, ``sample_record`` (the image and the digit as
      JSON text, which :meth:`score_records` scores again).
    * **Episode**: exactly ``num_steps`` steps (default 20, DDIM with ``eta`` = 1).
    * ``reset(options={"label": c})`` requests digit ``c`` instead of a random one.
    """

    def __init__(self, reward: str | Scorer = "classifier", kl_coef: float = 0.0, num_steps: int = DEFAULT_NUM_STEPS, eta: float = 1.0, reward_kwargs: dict[str, Any] | None = None, render_mode: str | None = None) -> None:
        engine, data = build_denoising(1, reward, kl_coef, num_steps, eta, reward_kwargs)
        kwargs = {"reward": reward, "kl_coef": kl_coef, "num_steps": num_steps, "eta": eta, "reward_kwargs": reward_kwargs or {}}
        super().__init__(engine, data, render_mode, kwargs)

    def _reset_engine(self, options: dict[str, Any]) -> None:
        unknown = set(options) - {"label"}
        if unknown:
            raise ValueError(f"unknown reset options {sorted(unknown)}; ImageGen-v0 accepts 'label'")
        self.engine.reset_rows(np.zeros(1, dtype=np.int64), [self.np_random], [options.get("label")])


class StrokeGenEnv(_EngineEnv):
    """Paint a target digit with bundles of Bezier brush strokes (Learning to Paint).

    * **Observation** (``Dict``): ``canvas`` and ``target`` float32 ``(1, S, S)`` in
      [0, 1] (ink = 1, S = ``canvas_size``, default 32); ``step`` the number of bundles
      painted (``Discrete(max_steps + 1)``).
    * **Action**: ``Box(0, 1, (strokes_per_step * 11,), float32)``: ``strokes_per_step``
      strokes (default 5) of 11 parameters each, laid out in
      :mod:`genenvs.image.strokes` (control points, radii, opacities, intensity).
    * **Reward**: ``"l2"``: ``(d_{t-1} - d_t) / d_0`` per step with ``d`` the pixel MSE to
      the target, so the return is ``1 - d_T / d_0``; ``"discriminator"``: the final
      ``log D(canvas, target)`` of an online conditional discriminator (SPIRAL).
    * **Info** at the end: ``sample`` (the canvas, float32 ``(S, S)``), ``valid``,
      ``score``, ``reward_components``, ``mse``, ``relative_l2``, ``target_index``,
      ``target_label``, ``sample_record`` (the strokes and the target index as JSON text,
      which :meth:`score_records` replays and scores again).
    * **Episode**: exactly ``max_steps`` steps (default 10). Targets are drawn from the
      ``split`` (``"train"``, ``"test"`` or ``"all"``) of scikit-learn's digits upsampled to
      ``canvas_size``; ``reset(options={"target_index": i})`` picks one.
    """

    def __init__(self, reward: str = "l2", canvas_size: int = 32, max_steps: int = 10, strokes_per_step: int = 5, split: str = "train", reward_kwargs: dict[str, Any] | None = None, render_mode: str | None = None) -> None:
        engine, data = build_painting(1, reward, canvas_size, max_steps, strokes_per_step, split, reward_kwargs)
        kwargs = {"reward": reward, "canvas_size": canvas_size, "max_steps": max_steps, "strokes_per_step": strokes_per_step, "split": split, "reward_kwargs": reward_kwargs or {}}
        super().__init__(engine, data, render_mode, kwargs)

    def _reset_engine(self, options: dict[str, Any]) -> None:
        unknown = set(options) - {"target_index"}
        if unknown:
            raise ValueError(f"unknown reset options {sorted(unknown)}; StrokeGen-v0 accepts 'target_index'")
        self.engine.reset_rows(np.zeros(1, dtype=np.int64), [self.np_random], [options.get("target_index")])
