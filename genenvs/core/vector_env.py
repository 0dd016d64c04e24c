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

from genenvs.core.episodes import FinalInfos, TokenEpisodes, token_observation_space
from genenvs.core.errors import InvalidActionError
from genenvs.core.provenance import provenance_record
from genenvs.core.rescoring import TaskRecordScoring
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


def _info_array(value: Any, num_envs: int) -> np.ndarray:
    """The batched array ``VectorEnv._add_info`` starts for an info value (same dtype rules)."""
    if type(value) in (int, float, bool) or issubclass(type(value), np.number):
        return np.zeros(num_envs, dtype=type(value))
    if isinstance(value, np.ndarray):
        return np.zeros((num_envs, *value.shape), dtype=value.dtype)
    return np.full(num_envs, fill_value=None, dtype=object)


def merge_infos(infos: dict[str, Any], per_row: dict[int, dict[str, Any]], num_envs: int) -> dict[str, Any]:
    """Add the info of each row in ``per_row`` to the batched ``infos``, as Gymnasium does.

    The result equals calling ``VectorEnv._add_info`` row by row in row order (same keys,
    key order, dtypes and ``_key`` masks), but each key is written once for all rows that
    carry it: ``_add_info`` allocates arrays per key *and row*, which dominates a step on
    which hundreds of episodes end.
    """
    if isinstance(per_row, FinalInfos):
        rows, columns, extras = per_row.columns()
        if not rows:
            return infos
        infos = _write_columns(infos, {key: (rows, values) for key, values in columns.items()}, num_envs)
        return merge_infos(infos, extras, num_envs) if extras else infos
    # Rows whose infos have the same keys (nearly all) are gathered key by key in one go.
    # Going through the groups in order of their first row visits keys in the order of
    # their first appearance, the order _add_info inserts them in.
    groups: dict[tuple[str, ...], list[int]] = {}
    for row in sorted(per_row):
        groups.setdefault(tuple(per_row[row]), []).append(row)
    columns: dict[str, tuple[list[int], list[Any]]] = {}
    for keys, group in groups.items():
        group_infos = [per_row[row] for row in group]
        for key in keys:
            values = [info[key] for info in group_infos]
            if key in columns:
                columns[key][0].extend(group)
                columns[key][1].extend(values)
            else:
                columns[key] = (list(group), values)
    return _write_columns(infos, columns, num_envs)


def _write_columns(infos: dict[str, Any], columns: dict[str, tuple[list[int], Any]], num_envs: int) -> dict[str, Any]:
    """Write ``columns[key] = (rows, values)`` into the batched ``infos`` with their ``_key`` masks.

    ``values`` is a list aligned with ``rows``, or for a nested info (``FinalInfos``'
    ``reward_components``) a dict of such lists.
    """
    indices: dict[int, np.ndarray] = {}  # columns often share one rows list: convert it once
    for key, (rows, values) in columns.items():
        index = indices.get(id(rows))
        if index is None:
            index = indices[id(rows)] = np.array(rows, dtype=np.intp)
        if type(values) is dict:  # nested columns
            array = _write_columns(infos.get(key, {}), {name: (rows, v) for name, v in values.items()}, num_envs)
        elif dict in set(map(type, values)) and key != "final_obs":
            if any(type(v) is not dict for v in values):
                raise TypeError(f"info[{key!r}] is a dict in some envs and not in others; vector envs cannot batch it")
            array = merge_infos(infos.get(key, {}), dict(zip(rows, values)), num_envs)
        else:
            array = infos.get(key)
            if array is None:
                array = np.full(num_envs, fill_value=None, dtype=object) if key == "final_obs" else _info_array(values[0], num_envs)
            if array.dtype == object:
                for row, value in zip(rows, values):
                    array[row] = value
            else:
                array[index] = values
        mask = infos.get(f"_{key}")
        if mask is None:
            mask = np.zeros(num_envs, dtype=bool)
        mask[index] = True
        infos[key], infos[f"_{key}"] = array, mask
    return infos


class _BatchedBase(TaskRecordScoring, VectorEnv):
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
        return merge_infos(infos, per_row, self.num_envs)

    @property
    def contexts(self) -> list:
        """The current episode's :class:`~genenvs.core.task.Context` of every env."""
        return list(self._episodes.contexts)

    @property
    def step_scorers(self) -> list[StepScorer]:
        """The per-token reward terms, in the order their rewards are summed."""
        return list(self._episodes.step_scorers)

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
            env_id, self._granularity, self._env_kwargs, self.task.identity(), [s.identity() for s in self._episodes.step_scorers],
            self.task.non_scoring_kwargs,
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
            finals = {int(r): {"final_obs": final_obs[r], "final_info": final_infos.pop(int(r))} for r in rows}
            infos = merge_infos(infos, finals, self.num_envs)
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
            finals = {int(r): {"final_obs": _index(final_obs, r), "final_info": final_infos.pop(int(r))} for r in rows}
            infos = merge_infos(infos, finals, self.num_envs)
            self._needs_reset[:] = False
        else:
            self._needs_reset = finished
        infos = self._collect_infos(infos, final_infos)
        return self._observation(), returns, finished, np.zeros(self.num_envs, dtype=bool), infos


def _index(batch: Any, row: int) -> Any:
    if isinstance(batch, dict):
        return {k: _index(v, row) for k, v in batch.items()}
    return batch[row]
