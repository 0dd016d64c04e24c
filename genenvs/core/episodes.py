"""Array-backed state of n token-generation episodes.

Both the single environment (n = 1) and the native vector environment (n = num_envs)
delegate to :class:`TokenEpisodes`, so the dynamics and the reward exist exactly once.
A step over all rows is a handful of numpy operations; Python-level work happens only for
episodes that finish, which are decoded and scored together in one batched scorer call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector.utils import create_empty_array

from genenvs.core.errors import InvalidActionError
from genenvs.core.rescoring import RECORD_KEY, token_records
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


class FinalInfos(Mapping):
    """The final infos of the episodes that ended on one step, kept as columns.

    Reads as ``{row: info}`` (each info dict is built when it is read, and is the
    caller's to change); :func:`genenvs.core.vector_env.merge_infos` writes the columns
    into a vector env's batched infos without building a dict per episode. ``columns``
    maps each key every row has to its values in ``rows`` order (a dict of such lists for
    a nested info such as ``reward_components``); ``extras`` holds the keys only some rows
    have, per row; they come after the common keys in every info.
    """

    def __init__(self, rows: list[int], columns: dict[str, Any], extras: dict[int, dict[str, Any]]) -> None:
        self._position = {row: k for k, row in enumerate(rows)}
        self._rows = rows
        self._columns = columns
        self._extras = extras

    def __getitem__(self, row: int) -> dict[str, Any]:
        k = self._position[row]
        info = {key: ({name: c[k] for name, c in col.items()} if type(col) is dict else col[k]) for key, col in self._columns.items()}
        extra = self._extras.get(row)
        if extra:
            info.update(extra)
        return info

    def __iter__(self) -> Iterator[int]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)

    def pop(self, row: int) -> dict[str, Any]:
        """The info of ``row``, which then leaves the mapping (and the columns)."""
        info = self[row]
        del self._position[row]
        self._extras.pop(row, None)
        return info

    def columns(self) -> tuple[list[int], dict[str, Any], dict[int, dict[str, Any]]]:
        """``(rows, columns, extras)`` of the rows still present, rows in ascending order."""
        rows = sorted(self._position)
        if rows == self._rows:
            return rows, self._columns, self._extras
        keep = [self._position[row] for row in rows]

        def pick(values: list[Any]) -> list[Any]:
            return [values[k] for k in keep]

        columns = {key: ({n: pick(c) for n, c in col.items()} if type(col) is dict else pick(col)) for key, col in self._columns.items()}
        return rows, columns, self._extras


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
        self.grammar_state = task.grammar_state(self.n)
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
        if self.grammar_state is not None:
            self.grammar_state.reset(rows)
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
            if self.grammar_state is not None:
                mask = self.grammar_state.masks()  # a fresh array, ours to change
            else:
                grammar = self.task.action_mask(self.tokens, self.lengths, self.contexts)
                mask = None if grammar is None else np.array(grammar, dtype=bool, copy=True)
            if mask is None:
                mask = self._free_mask
                mask[:, self.end_id] = self.lengths >= self.task.min_length
            else:
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

    def step(self, actions: np.ndarray, active: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, Mapping[int, dict]]:
        """Advance the active, unfinished rows by one token.

        Returns ``(rewards, finished, infos)`` where ``finished`` marks rows whose episode
        ended on this step and ``infos`` maps each of those rows to its final info
        (a :class:`FinalInfos`).
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
        if self.grammar_state is not None:
            self.grammar_state.advance(grow, acts[append])
        self._mask_cache = None

        ends = (acts == self.end_id) | ~legal | (self.lengths[rows] >= self.L)
        end_rows = rows[ends]
        finished[end_rows] = True
        infos: Mapping[int, dict] = {}
        if end_rows.size:
            illegal = set(rows[~legal].tolist())
            infos = self._finish(end_rows, illegal, rewards)
        self.done[end_rows] = True
        return rewards, finished, infos

    def _finish(self, rows: np.ndarray, illegal: set[int], rewards: np.ndarray) -> FinalInfos:
        """Decode and score the finished rows in one batched call.

        Many episodes can end on one step, so per-row values are read from the arrays once,
        as Python lists, rather than element by element.
        """
        row_ids = rows.tolist()
        lengths = self.lengths[rows].tolist()
        tokens = self.tokens[rows]  # fancy indexing copies
        contexts = [self.contexts[r] for r in row_ids]
        made_invalid = [row in illegal or forced for row, forced in zip(row_ids, self.forced_invalid[rows].tolist())]
        decode = self.task.decode
        decoded = [decode(ids[:length], context) for ids, length, context in zip(tokens, lengths, contexts)]
        samples = [sample for sample, _ in decoded]
        valid = np.array([bool(ok) and not bad for (_, ok), bad in zip(decoded, made_invalid)], dtype=bool)
        batch = SampleBatch(samples=samples, tokens=tokens, lengths=self.lengths[rows], contexts=[c.payload for c in contexts], valid=valid)
        result = self.task.score(batch)
        rewards[rows] += result.scores
        scores = np.asarray(result.scores, dtype=np.float64).tolist()
        valid_out = np.asarray(result.valid, dtype=bool).tolist()
        columns = {name: totals[rows].tolist() for name, totals in self.step_totals.items()}
        columns.update((name, np.asarray(values, dtype=np.float64).tolist()) for name, values in result.components.items())
        token_lists = tokens.tolist()
        records = token_records(self.task, [ids[:length] for ids, length in zip(token_lists, lengths)], contexts, made_invalid)
        extras: dict[int, dict[str, Any]] = {}
        episode_info, last_sample, last_score = self.task.episode_info, self.last_sample, self.last_score
        for row, sample, score, context in zip(row_ids, samples, scores, contexts):
            extra = episode_info(sample, context)
            if row in illegal:
                extra = {"invalid_action": True, **extra}
            if extra:
                extras[row] = extra
            last_sample[row] = sample
            last_score[row] = score
        common = {"sample": samples, "valid": valid_out, "score": scores, "reward_components": columns, "length": lengths, RECORD_KEY: records}
        if len(extras) == len(row_ids) and len({tuple(extra) for extra in extras.values()}) == 1:
            # every row has the same domain keys (e.g. MolGen's "smiles"): columns too
            common.update((key, [extras[row][key] for row in row_ids]) for key in extras[row_ids[0]])
            extras = {}
        # The rows come in ascending order (a boolean selection), the order infos are merged in.
        infos = FinalInfos(row_ids, common, extras)
        return infos

