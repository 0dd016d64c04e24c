"""The token-level environment: one token per step, the sample scored at the end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from genenvs.core.episodes import TokenEpisodes, token_observation_space
from genenvs.core.errors import EpisodeOverError, InvalidActionError
from genenvs.core.provenance import provenance_record
from genenvs.core.rescoring import TaskRecordScoring
from genenvs.core.task import Context, TokenTask
from genenvs.rewards.step import StepScorer


class TokenEnv(TaskRecordScoring, gym.Env):
    """Generate a sample token by token.

    * **Action**: ``Discrete(V)``, the next token id; id 0 is ``<end>``.
    * **Observation** (``Dict``): ``tokens`` int64 ``(max_length,)`` generated ids padded
      with ``V``; ``length`` the number of tokens so far; ``context`` the task's context
      (prompt, target, examples) when the task is conditional.
    * **Reward**: per-step terms from ``step_scorers`` (e.g. KL-control) at every step,
      plus the task's score of the finished sample on the last step.
    * **Termination**: on ``<end>``, at ``max_length`` tokens, or on a masked token
      (the sample is then invalid and gets the scorer's ``invalid_score``; pass
      ``on_invalid_action="raise"`` to get an exception instead).
    * **Info**: ``action_mask`` at every step; at the end ``sample``, ``valid``,
      ``score``, ``reward_components`` (each summed term by name), ``sample_record``
      (JSON text that :meth:`score_records` scores again; see ``genenvs.core.rescoring``)
      and domain extras.
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(
        self,
        task: TokenTask,
        render_mode: str | None = None,
        step_scorers: Sequence[StepScorer] = (),
        on_invalid_action: str = "terminate",
        env_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.task = task
        self.render_mode = render_mode
        self._episodes = TokenEpisodes(task, 1, step_scorers, on_invalid_action)
        self._env_kwargs = dict(env_kwargs or {})
        self.action_space = spaces.Discrete(len(task.vocab))
        self.observation_space = token_observation_space(task)
        self._last_info: dict[str, Any] = {}
        self._started = False

    # ---------------------------------------------------------------- gymnasium API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        context = (options or {}).get("context")
        if context is not None and not isinstance(context, Context):
            raise TypeError(f"options['context'] must be a genenvs Context, got {type(context).__name__}")
        self._episodes.reset_rows(np.array([0]), [self.np_random], None if context is None else [context])
        self._started = True
        self._last_info = {"action_mask": self.action_masks()}
        return self._episodes.row_observation(0), dict(self._last_info)

    def step(self, action):
        if not self._started:
            raise EpisodeOverError("step() called before reset()")
        if self._episodes.done[0]:
            raise EpisodeOverError("step() called after the episode ended; call reset() first")
        a = np.asarray(action)
        if a.shape not in ((), (1,)):
            raise InvalidActionError(f"expected a single token id, got an action of shape {a.shape}")
        rewards, finished, infos = self._episodes.step(a.reshape(1))
        terminated = bool(finished[0])
        info = infos.get(0, {})
        info["action_mask"] = self.action_masks()
        self._last_info = info
        return self._episodes.row_observation(0), float(rewards[0]), terminated, False, info

    def render(self):
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi' or 'rgb_array' to gym.make")
            return None
        ep = self._episodes
        ids = ep.tokens[0, : ep.lengths[0]]
        context = ep.contexts[0]
        sample = ep.last_sample[0]
        if self.render_mode == "rgb_array":
            return self.task.render_rgb(sample, ids, context)
        lines = []
        header = self.task.describe_context(context)
        if header:
            lines.append(header)
        lines.append(self.task.render_text(sample, ids, context))
        if ep.done[0] and ep.last_score[0] is not None:
            valid = self._last_info.get("valid", True)
            lines.append(f"score={ep.last_score[0]:.4f} valid={valid}")
        return "\n".join(lines)

    # ---------------------------------------------------------------- genenvs API
    def action_masks(self) -> np.ndarray:
        """Legal next tokens, bool ``(V,)`` (sb3-contrib MaskablePPO convention)."""
        return self._episodes.masks()[0]

    def encode(self, sample: Any) -> np.ndarray:
        """Actions that generate ``sample`` in the current context, ending with ``<end>``."""
        return self.task.encode(sample, self._episodes.contexts[0])

    @property
    def provenance(self) -> dict[str, Any]:
        env_id = self.spec.id if self.spec is not None else None
        return provenance_record(
            env_id, "token", self._env_kwargs, self.task.identity(), [s.identity() for s in self._episodes.step_scorers],
            self.task.non_scoring_kwargs,
        )
