"""Array-backed state of n token-generation episodes.

Both the single environment (n = 1) and the native vector environment (n = num_envs)
delegate to :class:`TokenEpisodes`, so the dynamics and the reward exist exactly once.
A step over all rows is a handful of numpy operations; Python-level work happens only for
episodes that finish, which are decoded and scored together in one batched scorer call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils import create_empty_array

from genenvs.core.errors import InvalidActionError
from genenvs.core.rescoring import RECORD_KEY, token_record
from genenvs.core.task import Context, TokenTask
from genenvs.rewards.base import SampleBatch
from genenvs.rewards.step import StepScorer

INVALID_ACTION_MODES = ("terminate", "raise")


def _write_row(batch: Any, space: spaces.Space, row: int, value: Any) -> None:
    """Write one observation of ``space`` into row ``row`` of a batched array (in place)."""
    if isinstance(space, spaces.Dict):
        for key, sub in space.spaces.items():
            _write_row(batch[key], sub, row, value[key])
    elif isinstance(space, spaces.Tuple):
        for i, sub in enumerate(space.spaces):
            _write_row(batch[i], sub, row, value[i])
    else:
        batch[row] = value


def _write_rows(batch: Any, space: spaces.Space, rows: np.ndarray, values: list[Any]) -> None:
    """Write ``values[i]`` into row ``rows[i]`` of a batched array, one assignment per array."""
    if isinstance(space, spaces.Dict):
        for key, sub in space.spaces.items():
            _write_rows(batch[key], sub, rows, [value[key] for value in values])
    elif isinstance(space, spaces.Tuple):
        for i, sub in enumerate(space.spaces):
            _write_rows(batch[i], sub, rows, [value[i] for value in values])
    elif isinstance(batch, np.ndarray) and batch.dtype != object:
        batch[rows] = values
    else:
        for row, value in zip(rows.tolist(), values):
            _write_row(batch, space, row, value)


def _read_row(batch: Any, space: spaces.Space, row: int) -> Any:
    if isinstance(space, spaces.Dict):
        return {key: _read_row(batch[key], sub, row) for key, sub in space.spaces.items()}
    if isinstance(space, spaces.Tuple):
        return tuple(_read_row(batch[i], sub, row) for i, sub in enumerate(space.spaces))
    value = batch[row]
    return value.copy() if isinstance(value, np.ndarray) else value


def _copy_batch(batch: Any) -> Any:
    if isinstance(batch, dict):
        return {k: _copy_batch(v) for k, v in batch.items()}
    if isinstance(batch, tuple):
        return tuple(_copy_batch(v) for v in batch)
    return batch.copy()


def token_observation_space(task: TokenTask) -> spaces.Dict:
    """Observation of one token-level episode.

    ``tokens``: int64 (max_length,), generated ids padded with ``vocab.pad_id``;
    ``length``: number of tokens generated so far; ``context``: the task's context (if any).
    """
    V, L = len(task.vocab), task.max_length
    fields: dict[str, spaces.Space] = {
        "tokens": spaces.MultiDiscrete(np.full(L, V + 1, dtype=np.int64)),
        "length": spaces.Discrete(L + 1),
    }
    if task.context_space is not None:
        fields["context"] = task.context_space
    return spaces.Dict(fields)


class TokenEpisodes:
    """n episodes of one task, stepped together."""

    def __init__(
        self,
        task: TokenTask,
        num_rows: int,
        step_scorers: Sequence[StepScorer] = (),
        on_invalid_action: str = "terminate",
    ) -> None:
        if on_invalid_action not in INVALID_ACTION_MODES:
            raise ValueError(f"on_invalid_action must be one of {INVALID_ACTION_MODES}, got {on_invalid_action!r}")
        self.task = task
        self.n = int(num_rows)
        self.V = len(task.vocab)
        self.L = int(task.max_length)
        self.end_id = task.vocab.end_id
        self.pad_id = task.vocab.pad_id
        self.on_invalid_action = on_invalid_action
        self.step_scorers = list(step_scorers)
        for scorer in self.step_scorers:
            scorer.allocate(self.n)
        names = [s.name for s in self.step_scorers] + [task.scorer.name]
        if len(set(names)) != len(names):
            raise ValueError(f"reward terms need distinct names, got {names}")

        self.tokens = np.full((self.n, self.L), self.pad_id, dtype=np.int64)
        self.lengths = np.zeros(self.n, dtype=np.int64)
        self.done = np.ones(self.n, dtype=bool)
        self.contexts: list[Context] = [Context() for _ in range(self.n)]
        self.context_batch = (
            create_empty_array(task.context_space, self.n) if task.context_space is not None else None
        )
        self.step_totals = {s.name: np.zeros(self.n) for s in self.step_scorers}
        self.forced_invalid = np.zeros(self.n, dtype=bool)
        self.last_sample: list[Any] = [None] * self.n
        self.last_score: list[float | None] = [None] * self.n
        self._rows = np.arange(self.n)
        self._mask_cache: np.ndarray | None = None
        # Tasks without a grammar share one all-legal mask; only its end column changes.
        self._free_mask = np.ones((self.n, self.V), dtype=bool)

    # ------------------------------------------------------------------ reset
    def reset_rows(self, rows: np.ndarray, rngs: Sequence[np.random.Generator], contexts: Sequence[Context] | None = None) -> None:
        """Start new episodes in ``rows``; ``rngs[i]`` draws the context of ``rows[i]``."""
        rows = np.asarray(rows, dtype=np.int64)
        new_contexts = []
        for k, row in enumerate(rows.tolist()):
            ctx = contexts[k] if contexts is not None else self.task.sample_context(rngs[k])
            self.contexts[row] = ctx
            new_contexts.append(ctx)
            self.last_sample[row] = None
            self.last_score[row] = None
        if self.context_batch is not None and rows.size:
            _write_rows(self.context_batch, self.task.context_space, rows, [c.observation for c in new_contexts])
        self.tokens[rows] = self.pad_id
        self.lengths[rows] = 0
        self._mask_cache = None
        self.done[rows] = False
        self.forced_invalid[rows] = False
        for name in self.step_totals:
            self.step_totals[name][rows] = 0.0
        for scorer in self.step_scorers:
            scorer.reset_rows(rows, new_contexts)

    def mark_invalid(self, rows: np.ndarray) -> None:
        """Score these rows' samples as invalid when they finish (e.g. untokenisable text)."""
        self.forced_invalid[rows] = True

    # ------------------------------------------------------------------ views
    def observation(self) -> dict[str, Any]:
        """Batched observation of all rows (copies, safe to keep)."""
        obs: dict[str, Any] = {"tokens": self.tokens.copy(), "length": self.lengths.copy()}
        if self.context_batch is not None:
            obs["context"] = _copy_batch(self.context_batch)
        return obs

    def row_observation(self, row: int) -> dict[str, Any]:
        obs: dict[str, Any] = {"tokens": self.tokens[row].copy(), "length": int(self.lengths[row])}
        if self.context_batch is not None:
            obs["context"] = _read_row(self.context_batch, self.task.context_space, row)
        return obs

    def masks(self) -> np.ndarray:
        """Legal next tokens ``(n, V)``: the task's grammar and the minimum length.

        Computed once per state change (a step and the info that follows it share it);
        callers get a copy.
        """
        return self._current_masks().copy()

    def _current_masks(self) -> np.ndarray:
        """The cached masks themselves (never handed out: callers of :meth:`masks` get copies)."""
        if self._mask_cache is None:
            grammar = self.task.action_mask(self.tokens, self.lengths, self.contexts)
            if grammar is None:
                mask = self._free_mask
                mask[:, self.end_id] = self.lengths >= self.task.min_length
            else:
                mask = np.array(grammar, dtype=bool, copy=True)
                mask[:, self.end_id] &= self.lengths >= self.task.min_length
            self._mask_cache = mask
        return self._mask_cache

    # ------------------------------------------------------------------ step
    def check_actions(self, actions: Any) -> np.ndarray:
        arr = np.asarray(actions)
        if arr.shape != (self.n,):
            raise InvalidActionError(f"expected {self.n} action(s) of shape ({self.n},), got shape {arr.shape}")
        if not np.issubdtype(arr.dtype, np.integer):
            if np.issubdtype(arr.dtype, np.floating) and np.all(np.mod(arr, 1) == 0):
                arr = arr.astype(np.int64)
            else:
                raise InvalidActionError(f"actions must be integer token ids, got dtype {arr.dtype}")
        bad = (arr < 0) | (arr >= self.V)
        if bad.any():
            raise InvalidActionError(
                f"action {int(arr[bad][0])} is outside the action space Discrete({self.V}) (token ids 0..{self.V - 1})"
            )
        return arr.astype(np.int64, copy=False)

    def step(self, actions: np.ndarray, active: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, dict[int, dict]]:
        """Advance the active, unfinished rows by one token.

        Returns ``(rewards, finished, infos)`` where ``finished`` marks rows whose episode
        ended on this step and ``infos`` maps each of those rows to its final info.
        """
        actions = self.check_actions(actions)
        stepping = ~self.done if active is None else (active & ~self.done)
        rows = self._rows[stepping]
        rewards = np.zeros(self.n, dtype=np.float64)
        finished = np.zeros(self.n, dtype=bool)
        if rows.size == 0:
            return rewards, finished, {}
        acts = actions[rows]

        legal = self._current_masks()[rows, acts]
        if not legal.all() and self.on_invalid_action == "raise":
            bad = int(acts[~legal][0])
            raise InvalidActionError(
                f"token {bad} ({self.task.vocab.tokens[bad]!r}) is masked at this position; see action_masks()"
            )

        for scorer in self.step_scorers:
            term = np.asarray(scorer.step(rows, acts), dtype=np.float64)
            rewards[rows] += term
            self.step_totals[scorer.name][rows] += term

        append = legal & (acts != self.end_id)
        grow = rows[append]
        self.tokens[grow, self.lengths[grow]] = acts[append]
        self.lengths[grow] += 1
        self._mask_cache = None

        ends = (acts == self.end_id) | ~legal | (self.lengths[rows] >= self.L)
        end_rows = rows[ends]
        finished[end_rows] = True
        infos: dict[int, dict] = {}
        if end_rows.size:
            illegal = set(rows[~legal].tolist())
            infos = self._finish(end_rows, illegal, rewards)
        self.done[end_rows] = True
        return rewards, finished, infos

    def _finish(self, rows: np.ndarray, illegal: set[int], rewards: np.ndarray) -> dict[int, dict]:
        """Decode and score the finished rows in one batched call.

        Many episodes can end on one step, so per-row values are read from the arrays once,
        as Python lists, rather than element by element.
        """
        row_ids = rows.tolist()
        lengths = self.lengths[rows].tolist()
        contexts = [self.contexts[r] for r in row_ids]
        made_invalid = [row in illegal or forced for row, forced in zip(row_ids, self.forced_invalid[rows].tolist())]
        samples, valid = [], np.zeros(rows.size, dtype=bool)
        for k, (row, length, context) in enumerate(zip(row_ids, lengths, contexts)):
            sample, ok = self.task.decode(self.tokens[row, :length], context)
            samples.append(sample)
            valid[k] = bool(ok) and not made_invalid[k]
        batch = SampleBatch(
            samples=samples,
            tokens=self.tokens[rows],  # fancy indexing copies
            lengths=self.lengths[rows],
            contexts=[c.payload for c in contexts],
            valid=valid,
        )
        result = self.task.score(batch)
        rewards[rows] += result.scores
        scores = [float(s) for s in np.asarray(result.scores).tolist()]
        valid_out = [bool(v) for v in np.asarray(result.valid).tolist()]
        columns = {name: totals[rows].tolist() for name, totals in self.step_totals.items()}
        columns.update((name, [float(v) for v in np.asarray(values).tolist()]) for name, values in result.components.items())
        infos = {}
        for k, row in enumerate(row_ids):
            info = {
                "sample": samples[k],
                "valid": valid_out[k],
                "score": scores[k],
                "reward_components": {name: values[k] for name, values in columns.items()},
                "length": lengths[k],
                RECORD_KEY: token_record(self.task, self.tokens[row, : lengths[k]], contexts[k], made_invalid[k]),
            }
            if row in illegal:
                info["invalid_action"] = True
            info.update(self.task.episode_info(samples[k], contexts[k]))
            infos[row] = info
            self.last_sample[row] = samples[k]
            self.last_score[row] = scores[k]
        return infos

