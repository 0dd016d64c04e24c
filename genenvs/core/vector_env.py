"""Native batched vector environments (registered as ``vector_entry_point``).

``gym.make_vec("MolGen-v0", 256)`` returns a :class:`TokenVectorEnv`: one
:class:`~genenvs.core.episodes.TokenEpisodes` engine holds all 256 episodes as arrays, a
step is a few numpy operations, and the episodes that finish on a step are decoded and
scored in one batched scorer call. It follows Gymnasium's vector API, including the
autoreset modes, so it can stand in for ``SyncVectorEnv`` anywhere (same returns for the
same seeds and actions, which the test suite checks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from genenvs.core.episodes import TokenEpisodes, token_observation_space
from genenvs.core.errors import InvalidActionError
from genenvs.core.provenance import provenance_record
from genenvs.core.sample_env import action_to_ids, run_samples, sample_action_space, sample_observation_space
from genenvs.core.task import TokenTask
from genenvs.rewards.step import StepScorer


def parse_autoreset(mode: Any) -> AutoresetMode:
    """``AutoresetMode`` from an enum or its string; only NEXT_STEP and SAME_STEP are supported."""
    if isinstance(mode, AutoresetMode):
        mode_enum = mode
    else:
        try:
            mode_enum = AutoresetMode(mode)
        except ValueError:
            raise ValueError(f"autoreset_mode must be 'NextStep' or 'SameStep', got {mode!r}") from None
    if mode_enum not in (AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP):
        raise ValueError(f"autoreset_mode {mode_enum} is not supported; use NEXT_STEP or SAME_STEP")
    return mode_enum


class _BatchedBase(VectorEnv):
    """Seeding and info plumbing shared by the token and sample vector envs."""

    def _seed_rngs(self, seed: int | Sequence[int | None] | None) -> None:
        if seed is None:
            seeds: list[int | None] = [None] * self.num_envs
        elif isinstance(seed, int):
            seeds = [seed + i for i in range(self.num_envs)]  # SyncVectorEnv's convention
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"got {len(seeds)} seeds for {self.num_envs} environments")
        if seed is not None or not hasattr(self, "_rngs"):
            self._rngs = [seeding.np_random(s)[0] for s in seeds]

    def _collect_infos(self, infos: dict[str, Any], per_row: dict[int, dict]) -> dict[str, Any]:
        for row, info in sorted(per_row.items()):
            infos = self._add_info(infos, info, row)
        return infos

    @property
    def contexts(self) -> list:
        """The current episode's :class:`~genenvs.core.task.Context` of every env."""
        return list(self._episodes.contexts)

    def _reset_all(self, options: dict[str, Any] | None) -> None:
        """Start every env anew; ``options["contexts"]`` poses chosen problem instances."""
        contexts = (options or {}).get("contexts")
        if contexts is not None and len(contexts) != self.num_envs:
            raise ValueError(f"options['contexts'] needs {self.num_envs} contexts, got {len(contexts)}")
        self._episodes.reset_rows(np.arange(self.num_envs), self._rngs, contexts)
        self._needs_reset[:] = False

    @property
    def provenance(self) -> dict[str, Any]:
        env_id = self.spec.id if self.spec is not None else None
        return provenance_record(
            env_id, self._granularity, self._env_kwargs, self.task.identity(), [s.identity() for s in self._episodes.step_scorers]
        )


class TokenVectorEnv(_BatchedBase):
    """``num_envs`` token-level episodes stepped with array operations."""

    metadata = {"render_modes": ["ansi"], "autoreset_mode": AutoresetMode.NEXT_STEP}
    _granularity = "token"

    def __init__(
        self,
        task: TokenTask,
        num_envs: int,
        render_mode: str | None = None,
        step_scorers: Sequence[StepScorer] = (),
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        on_invalid_action: str = "terminate",
        env_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        if render_mode not in (None, "ansi"):
            raise ValueError(f"the native vector env renders 'ansi' only, got {render_mode!r}")
        self.task = task
        self.num_envs = int(num_envs)
        self.render_mode = render_mode
        self.autoreset_mode = parse_autoreset(autoreset_mode)
        self.metadata = {**self.metadata, "autoreset_mode": self.autoreset_mode}
        self._episodes = TokenEpisodes(task, self.num_envs, step_scorers, on_invalid_action)
        self._env_kwargs = dict(env_kwargs or {})
        self.single_action_space = spaces.Discrete(len(task.vocab))
        self.single_observation_space = token_observation_space(task)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self._needs_reset = np.zeros(self.num_envs, dtype=bool)
        self._seed_rngs(None)

    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None):
        self._seed_rngs(seed)
        self._reset_all(options)
        masks = self._episodes.masks()
        return self._episodes.observation(), {"action_mask": masks, "_action_mask": np.ones(self.num_envs, dtype=bool)}

    def step(self, actions):
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs,):
            raise InvalidActionError(f"expected actions of shape ({self.num_envs},), got {actions.shape}")
        ep = self._episodes
        infos: dict[str, Any] = {}
        resetting = self._needs_reset.copy()
        # Rows whose episode ended on the previous step ignore their action (NEXT_STEP).
        safe_actions = np.where(resetting, 0, actions) if resetting.any() else actions
        rewards, finished, final_infos = ep.step(safe_actions, active=~resetting)
        if resetting.any():
            rows = np.flatnonzero(resetting)
            ep.reset_rows(rows, [self._rngs[r] for r in rows])
        terminated = finished
        if self.autoreset_mode == AutoresetMode.SAME_STEP and finished.any():
            rows = np.flatnonzero(finished)
            final_obs = {r: ep.row_observation(r) for r in rows}
            ep.reset_rows(rows, [self._rngs[r] for r in rows])
            for r in rows:
                infos = self._add_info(infos, {"final_obs": final_obs[r], "final_info": final_infos.pop(int(r))}, int(r))
            self._needs_reset[:] = False
        else:
            self._needs_reset = finished.copy()
        infos = self._collect_infos(infos, final_infos)
        infos["action_mask"] = ep.masks()
        infos["_action_mask"] = np.ones(self.num_envs, dtype=bool)
        truncated = np.zeros(self.num_envs, dtype=bool)
        return ep.observation(), rewards, terminated, truncated, infos

    def action_masks(self) -> np.ndarray:
        """Legal next tokens for every env, bool ``(num_envs, V)``."""
        return self._episodes.masks()

    def render(self):
        if self.render_mode != "ansi":
            return None
        ep = self._episodes
        return "\n".join(
            f"[{i}] " + self.task.render_text(ep.last_sample[i], ep.tokens[i, : ep.lengths[i]], ep.contexts[i]) for i in range(self.num_envs)
        )


class SampleVectorEnv(_BatchedBase):
    """``num_envs`` one-step episodes: every step scores a batch of whole samples at once."""

    metadata = {"render_modes": [], "autoreset_mode": AutoresetMode.NEXT_STEP}
    _granularity = "sample"

    def __init__(
        self,
        task: TokenTask,
        num_envs: int,
        step_scorers: Sequence[StepScorer] = (),
        action_type: str = "tokens",
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        env_kwargs: dict[str, Any] | None = None,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None:
            raise ValueError("the sample-level vector env does not render; render single envs instead")
        self.task = task
        self.num_envs = int(num_envs)
        self.action_type = action_type
        self.autoreset_mode = parse_autoreset(autoreset_mode)
        self.metadata = {**self.metadata, "autoreset_mode": self.autoreset_mode}
        self._episodes = TokenEpisodes(task, self.num_envs, step_scorers)
        self._env_kwargs = dict(env_kwargs or {})
        self.single_action_space = sample_action_space(task, action_type)
        self.single_observation_space = sample_observation_space(task)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self._needs_reset = np.zeros(self.num_envs, dtype=bool)
        self._seed_rngs(None)

    def _observation(self) -> Any:
        if self.task.context_space is None:
            return np.zeros(self.num_envs, dtype=np.int64)
        return self._episodes.observation()["context"]

    def reset(self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None):
        self._seed_rngs(seed)
        self._reset_all(options)
        return self._observation(), {}

    def step(self, actions):
        ep = self._episodes
        stepping = ~self._needs_reset
        if self.action_type == "text":
            if len(actions) != self.num_envs:
                raise InvalidActionError(f"expected {self.num_envs} strings, got {len(actions)}")
        else:
            actions = np.asarray(actions)
            if actions.shape != (self.num_envs, self.task.max_length):
                raise InvalidActionError(f"expected actions of shape ({self.num_envs}, {self.task.max_length}), got {actions.shape}")
        token_rows = [action_to_ids(self.task, self.action_type, actions[i], ep.contexts[i]) if stepping[i] else np.zeros(1, dtype=np.int64) for i in range(self.num_envs)]
        ep.done[~stepping] = True  # rows being reset take no part in this step
        returns, final_infos = run_samples(ep, token_rows)
        returns[~stepping] = 0.0
        finished = stepping.copy()
        infos: dict[str, Any] = {}
        if self._needs_reset.any():
            rows = np.flatnonzero(self._needs_reset)
            ep.reset_rows(rows, [self._rngs[r] for r in rows])
        if self.autoreset_mode == AutoresetMode.SAME_STEP:
            rows = np.flatnonzero(finished)
            final_obs = self._observation()
            ep.reset_rows(rows, [self._rngs[r] for r in rows])
            for r in rows:
                infos = self._add_info(infos, {"final_obs": _index(final_obs, r), "final_info": final_infos.pop(int(r))}, int(r))
            self._needs_reset[:] = False
        else:
            self._needs_reset = finished
        infos = self._collect_infos(infos, final_infos)
        return self._observation(), returns, finished, np.zeros(self.num_envs, dtype=bool), infos


def _index(batch: Any, row: int) -> Any:
    if isinstance(batch, dict):
        return {k: _index(v, row) for k, v in batch.items()}
    return batch[row]
