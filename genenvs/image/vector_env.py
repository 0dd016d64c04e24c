"""Native vector environments of the image domain (registered as ``vector_entry_point``).

``gym.make_vec("ImageGen-v0", 64)`` denoises 64 images with one batched forward pass of
the DDPM per step, and ``gym.make_vec("StrokeGen-v0", 64)`` renders 64 stroke bundles as
one tensor computation; finished episodes are scored in one batched call. They follow
Gymnasium's vector API with both autoreset modes, and give the same returns as a
``SyncVectorEnv`` of single envs for the same seeds and actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from genenvs.core.provenance import provenance_record
from genenvs.core.vector_env import parse_autoreset
from genenvs.image.env import DEFAULT_NUM_STEPS, build_denoising, build_painting
from genenvs.rewards.base import Scorer, ScoreResult


class _EngineVectorEnv(VectorEnv):
    """``num_envs`` rows of a batched engine behind Gymnasium's vector API."""

    metadata = {"render_modes": ["ansi", "rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP}
    #: The reset option holding one value per row (``None`` = draw from the row's RNG).
    _row_option = ""

    def __init__(self, engine: Any, data: dict[str, str], num_envs: int, render_mode: str | None, autoreset_mode: Any, env_kwargs: dict[str, Any]) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.engine = engine
        self.num_envs = engine.n
        self.render_mode = render_mode
        self.autoreset_mode = parse_autoreset(autoreset_mode)
        self.metadata = {**self.metadata, "autoreset_mode": self.autoreset_mode}
        self.single_observation_space = engine.observation_space()
        self.single_action_space = engine.action_space()
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._data = data
        self._env_kwargs = env_kwargs
        self._needs_reset = np.zeros(self.num_envs, dtype=bool)
        self._rngs = [seeding.np_random(None)[0] for _ in range(self.num_envs)]

    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            seeds = [seed + i for i in range(self.num_envs)] if isinstance(seed, int) else list(seed)  # SyncVectorEnv's convention
            if len(seeds) != self.num_envs:
                raise ValueError(f"got {len(seeds)} seeds for {self.num_envs} environments")
            self._rngs = [seeding.np_random(s)[0] for s in seeds]
        self.engine.reset_rows(np.arange(self.num_envs), self._rngs, self._per_row(options or {}))
        self._needs_reset[:] = False
        return self.engine.observation(), self.engine.step_info()

    def _per_row(self, options: dict[str, Any]) -> list[Any] | None:
        unknown = set(options) - {self._row_option}
        if unknown:
            raise ValueError(f"unknown reset options {sorted(unknown)}; this env accepts {self._row_option!r} (one value per env, or one for all)")
        if self._row_option not in options:
            return None
        values = options[self._row_option]
        values = list(values) if isinstance(values, (list, tuple, np.ndarray)) else [values] * self.num_envs
        if len(values) != self.num_envs:
            raise ValueError(f"options[{self._row_option!r}] has {len(values)} values for {self.num_envs} environments")
        return values

    def step(self, actions):
        engine = self.engine
        resetting = self._needs_reset
        if resetting.any():  # NEXT_STEP: rows that ended on the previous step restart and ignore their action
            rows = np.flatnonzero(resetting)
            engine.reset_rows(rows, [self._rngs[r] for r in rows])
        rewards, finished, final_infos = engine.step(np.asarray(actions), ~resetting)
        infos: dict[str, Any] = {}
        if self.autoreset_mode == AutoresetMode.SAME_STEP and finished.any():
            rows = np.flatnonzero(finished)
            final_obs = {int(r): engine.row_observation(r) for r in rows}
            engine.reset_rows(rows, [self._rngs[r] for r in rows])
            for r in rows:
                infos = self._add_info(infos, {"final_obs": final_obs[int(r)], "final_info": final_infos.pop(int(r))}, int(r))
            self._needs_reset = np.zeros(self.num_envs, dtype=bool)
        else:
            self._needs_reset = finished.copy()
        for row, info in sorted(final_infos.items()):
            infos = self._add_info(infos, info, row)
        infos.update(engine.step_info())
        return engine.observation(), rewards, finished, np.zeros(self.num_envs, dtype=bool), infos

    def render(self):
        if self.render_mode == "ansi":
            return "\n".join(f"[{i}] {self.engine.render_text(i)}" for i in range(self.num_envs))
        if self.render_mode == "rgb_array":
            panels = [self.engine.render_rgb(i, scale=1) for i in range(self.num_envs)]
            return _tile(panels, ncols=int(np.ceil(np.sqrt(self.num_envs))))
        return None

    @property
    def provenance(self) -> dict[str, Any]:
        env_id = self.spec.id if self.spec is not None else None
        return provenance_record(env_id, "step", self._env_kwargs, self.engine.identity(self._data), self.engine.step_reward_identities(self._data))

    def score_records(self, records: list[dict[str, Any]]) -> ScoreResult:
        """Score parsed ``info["sample_record"]`` records as this environment scored them."""
        return self.engine.score_records(records)


def _tile(panels: list[np.ndarray], ncols: int, gap: int = 2) -> np.ndarray:
    h, w, _ = panels[0].shape
    nrows = -(-len(panels) // ncols)
    out = np.full((nrows * (h + gap) + gap, ncols * (w + gap) + gap, 3), 128, dtype=np.uint8)
    for i, panel in enumerate(panels):
        r, c = divmod(i, ncols)
        out[gap + r * (h + gap) : gap + r * (h + gap) + h, gap + c * (w + gap) : gap + c * (w + gap) + w] = panel
    return out


class ImageGenVectorEnv(_EngineVectorEnv):
    """``num_envs`` ImageGen-v0 episodes (see :class:`genenvs.image.env.ImageGenEnv`).

    Per-step infos are batched: ``pretrained_mean`` ``(num_envs, 1, 16, 16)`` and
    ``pretrained_std`` ``(num_envs,)``, masked (``_pretrained_mean``) where an episode has
    just ended. ``reset(options={"label": labels})`` requests digits.
    """

    _row_option = "label"

    def __init__(self, num_envs: int, reward: str | Scorer = "classifier", kl_coef: float = 0.0, num_steps: int = DEFAULT_NUM_STEPS, eta: float = 1.0, reward_kwargs: dict[str, Any] | None = None, render_mode: str | None = None, autoreset_mode: Any = AutoresetMode.NEXT_STEP) -> None:
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        engine, data = build_denoising(num_envs, reward, kl_coef, num_steps, eta, reward_kwargs)
        kwargs = {"reward": reward, "kl_coef": kl_coef, "num_steps": num_steps, "eta": eta, "reward_kwargs": reward_kwargs or {}}
        super().__init__(engine, data, num_envs, render_mode, autoreset_mode, kwargs)


class StrokeGenVectorEnv(_EngineVectorEnv):
    """``num_envs`` StrokeGen-v0 episodes (see :class:`genenvs.image.env.StrokeGenEnv`).

    ``reset(options={"target_index": indices})`` picks the targets.
    """

    _row_option = "target_index"

    def __init__(self, num_envs: int, reward: str = "l2", canvas_size: int = 32, max_steps: int = 10, strokes_per_step: int = 5, split: str = "train", reward_kwargs: dict[str, Any] | None = None, render_mode: str | None = None, autoreset_mode: Any = AutoresetMode.NEXT_STEP) -> None:
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        engine, data = build_painting(num_envs, reward, canvas_size, max_steps, strokes_per_step, split, reward_kwargs)
        kwargs = {"reward": reward, "canvas_size": canvas_size, "max_steps": max_steps, "strokes_per_step": strokes_per_step, "split": split, "reward_kwargs": reward_kwargs or {}}
        super().__init__(engine, data, num_envs, render_mode, autoreset_mode, kwargs)
