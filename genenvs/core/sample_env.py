"""The sample-level view: one action is a whole sample (for GRPO, DDPO, bandit trainers).

The same task and the same :class:`~genenvs.core.episodes.TokenEpisodes` engine produce
the reward, by feeding the sample's tokens through it, so a sample earns exactly the
return it would earn token by token (per-step terms included).
"""

from __future__ import annotations

import copy
import string
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from genenvs.core.episodes import TokenEpisodes
from genenvs.core.errors import EpisodeOverError, InvalidActionError
from genenvs.core.provenance import provenance_record
from genenvs.core.rescoring import TaskRecordScoring
from genenvs.core.task import Context, TokenTask
from genenvs.rewards.step import StepScorer

#: Characters a ``Text`` action may contain: printable ASCII, including newline and tab.
TEXT_CHARSET = string.printable


def sample_observation_space(task: TokenTask) -> spaces.Space:
    return task.context_space if task.context_space is not None else spaces.Discrete(1)


def sample_action_space(task: TokenTask, action_type: str) -> spaces.Space:
    if action_type == "tokens":
        return spaces.MultiDiscrete(np.full(task.max_length, len(task.vocab) + 1, dtype=np.int64))
    if action_type == "text":
        if not task.accepts_text:
            raise ValueError(f"task {task.name!r} has no text form; use action_type='tokens'")
        return spaces.Text(max_length=getattr(task, "max_text_length", 4 * task.max_length), charset=TEXT_CHARSET)
    raise ValueError(f"action_type must be 'tokens' or 'text', got {action_type!r}")


def run_samples(episodes: TokenEpisodes, token_rows: list[np.ndarray | None]) -> tuple[np.ndarray, dict[int, dict]]:
    """Feed whole samples through the engine (rows already reset); returns returns and final infos.

    ``token_rows[i]`` is row i's id sequence, or ``None`` for a sample that could not be
    tokenised (it is fed as an illegal action so it is scored as invalid).
    """
    n = episodes.n
    returns = np.zeros(n)
    infos: dict[int, dict] = {}
    width = episodes.L + 1
    matrix = np.zeros((n, width), dtype=np.int64)  # 0 = <end> after the sample
    bad = np.zeros(n, dtype=bool)
    for i, ids in enumerate(token_rows):
        if ids is None:
            bad[i] = True
            continue
        ids = ids[: episodes.L]
        matrix[i, : len(ids)] = ids
    episodes.mark_invalid(np.flatnonzero(bad))  # an untokenisable string is an invalid sample
    saved = episodes.on_invalid_action
    episodes.on_invalid_action = "terminate"
    try:
        for t in range(width):
            active = ~episodes.done
            if not active.any():
                break
            rewards, _, step_infos = episodes.step(matrix[:, t], active)
            returns += rewards
            infos.update(step_infos)
    finally:
        episodes.on_invalid_action = saved
    for row in np.flatnonzero(bad):
        infos[int(row)]["untokenizable"] = True
    return returns, infos


class SampleEnv(TaskRecordScoring, gym.Env):
    """One-step environment: observe the context, act with a whole sample, get its reward.

    * **Action**: ``MultiDiscrete([V + 1] * max_length)`` token ids (the sample ends at
      the first ``<end>`` (0) or pad (``V``) id), or with ``action_type="text"`` a string
      (``gymnasium.spaces.Text``) that the task tokenises.
    * **Observation**: the task's context, or ``Discrete(1)`` for unconditional tasks.
    * **Reward**: the return the token-level env would give for the same sample.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 1}

    def __init__(
        self,
        task: TokenTask,
        render_mode: str | None = None,
        step_scorers: Sequence[StepScorer] = (),
        action_type: str = "tokens",
        env_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.task = task
        self.render_mode = render_mode
        self.action_type = action_type
        self.action_space = sample_action_space(task, action_type)
        self.observation_space = sample_observation_space(task)
        self._episodes = TokenEpisodes(task, 1, step_scorers)
        self._env_kwargs = dict(env_kwargs or {})
        self._needs_reset = True
        self._last_info: dict[str, Any] = {}

    def _observation(self) -> Any:
        ctx = self._episodes.contexts[0]
        # a copy: observations handed out must not alias the context the env keeps
        return copy.deepcopy(ctx.observation) if self.task.context_space is not None else 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        context = (options or {}).get("context")
        if context is not None and not isinstance(context, Context):
            raise TypeError(f"options['context'] must be a genenvs Context, got {type(context).__name__}")
        self._episodes.reset_rows(np.array([0]), [self.np_random], None if context is None else [context])
        self._needs_reset = False
        return self._observation(), {}

    def step(self, action):
        if self._needs_reset:
            raise EpisodeOverError("step() called after the episode ended (or before reset()); call reset() first")
        ids = action_to_ids(self.task, self.action_type, action, self._episodes.contexts[0])
        returns, infos = run_samples(self._episodes, [ids])
        self._needs_reset = True
        self._last_info = infos[0]
        return self._observation(), float(returns[0]), True, False, infos[0]

    def render(self):
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode")
            return None
        ep = self._episodes
        ids = ep.tokens[0, : ep.lengths[0]]
        if self.render_mode == "rgb_array":
            return self.task.render_rgb(ep.last_sample[0], ids, ep.contexts[0])
        lines = [x for x in (self.task.describe_context(ep.contexts[0]), self.task.render_text(ep.last_sample[0], ids, ep.contexts[0])) if x]
        if ep.last_score[0] is not None:
            lines.append(f"score={ep.last_score[0]:.4f} valid={self._last_info.get('valid')}")
        return "\n".join(lines)

    def encode(self, sample: Any) -> np.ndarray:
        """The action (token array padded with ``V``, or the string) that produces ``sample``."""
        if self.action_type == "text":
            return sample
        ids = self.task.encode(sample, self._episodes.contexts[0])
        out = np.full(self.task.max_length, len(self.task.vocab), dtype=np.int64)
        out[: min(len(ids), self.task.max_length)] = ids[: self.task.max_length]
        return out

    @property
    def provenance(self) -> dict[str, Any]:
        env_id = self.spec.id if self.spec is not None else None
        return provenance_record(
            env_id, "sample", self._env_kwargs, self.task.identity(), [s.identity() for s in self._episodes.step_scorers],
            self.task.non_scoring_kwargs,
        )


def action_to_ids(task: TokenTask, action_type: str, action: Any, context: Context) -> np.ndarray | None:
    """Token ids of a sample-level action; ``None`` if a string cannot be tokenised."""
    V = len(task.vocab)
    if action_type == "text":
        if not isinstance(action, str):
            raise InvalidActionError(f"expected a string action, got {type(action).__name__}")
        try:
            return task.encode(action, context)
        except ValueError:
            return None
    arr = np.asarray(action)
    if arr.shape != (task.max_length,):
        raise InvalidActionError(f"expected a token array of shape ({task.max_length},), got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise InvalidActionError(f"token ids must be integers, got dtype {arr.dtype}")
    if arr.min() < 0 or arr.max() > V:
        raise InvalidActionError(f"token ids must lie in 0..{V} (0 = <end>, {V} = pad), got {int(arr.min())}..{int(arr.max())}")
    stop = np.flatnonzero((arr == 0) | (arr == V))
    n = int(stop[0]) if stop.size else task.max_length
    return np.append(arr[:n], 0).astype(np.int64)
