"""The machinery shared by the turn-based generation games.

Every game in :mod:`genenvs.multiagent` is an alternating-move game: exactly one agent acts
at a time (PettingZoo's AEC model). :class:`TurnBasedGame` implements the bookkeeping that
PettingZoo's API test checks (reward accumulation, dead steps, action masks, seeding) once,
so a game only says how it starts, what each agent sees, which actions are legal and what
an action does.

PettingZoo conventions followed here:

* observations are dicts with ``"observation"`` and ``"action_mask"`` (``int8``, all zeros
  for an agent whose turn it is not), plus game-specific extra keys;
* ``observation_space(agent)`` / ``action_space(agent)`` are memoised with
  :func:`functools.lru_cache`, so seeding a space sticks;
* :func:`wrap` applies the classic-environment wrappers (an illegal move ends the game
  with ``-1`` for the offender, out-of-space actions are rejected, call order enforced),
  and :func:`parallel_from_aec` gives the parallel view of a turn-based game
  (:func:`pettingzoo.utils.conversions.turn_based_aec_to_parallel`: every agent submits an
  action each step, only the acting agent's is used, and ``info["active_agent"]`` names it).

The unwrapped environment raises :class:`genenvs.core.errors.InvalidActionError` instead,
naming the action and the legal ones, for users who drive it directly.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from abc import abstractmethod
from typing import Any

import gymnasium
import numpy as np
from gymnasium.utils import seeding
from pettingzoo import AECEnv
from pettingzoo.utils import wrappers
from pettingzoo.utils.conversions import turn_based_aec_to_parallel

from genenvs.core.errors import EpisodeOverError, InvalidActionError
from genenvs.core.provenance import provenance_record

#: Reward of an agent whose move was illegal under ``env()``/``parallel_env()`` (the game ends).
ILLEGAL_MOVE_REWARD = -1.0


@dataclasses.dataclass
class Move:
    """What one action did: whose turn is next (``None``: the game is over) and the rewards."""

    next_agent: str | None
    rewards: dict[str, float] = dataclasses.field(default_factory=dict)


class TurnBasedGame(AECEnv):
    """Base class of an alternating-move game with masked ``Discrete`` actions.

    Subclasses set ``possible_agents`` and ``metadata`` and implement :meth:`_new_game`,
    :meth:`_observe`, :meth:`_legal_actions`, :meth:`_play`, :meth:`_build_observation_space`,
    :meth:`_build_action_space` and :meth:`_identity`. They append human-readable lines
    to ``self._transcript`` for ``render_mode="ansi"`` and fill ``self._final_infos`` when
    the game ends.
    """

    metadata: dict[str, Any] = {"render_modes": ["ansi"], "name": "turn_based_game", "is_parallelizable": False}
    possible_agents: list[str]

    def __init__(self, render_mode: str | None = None) -> None:
        super().__init__()
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.render_mode = render_mode
        self.agents: list[str] = []
        self.np_random: np.random.Generator | None = None
        self.np_random_seed: int | None = None
        self._transcript: list[str] = []
        self._final_infos: dict[str, dict[str, Any]] = {}
        self._kwargs: dict[str, Any] = {}

    # ------------------------------------------------------------------ game hooks
    @abstractmethod
    def _new_game(self) -> str:
        """Draw a new instance with ``self.np_random``; return the agent that moves first."""

    @abstractmethod
    def _observe(self, agent: str) -> dict[str, np.ndarray]:
        """``agent``'s view of the game, without ``"action_mask"`` (added here)."""

    @abstractmethod
    def _legal_actions(self, agent: str) -> np.ndarray:
        """Boolean mask over ``action_space(agent)`` for the agent whose turn it is."""

    @abstractmethod
    def _play(self, agent: str, action: int) -> Move:
        """Apply a legal ``action`` of ``agent``; return the next agent and the step's rewards."""

    @abstractmethod
    def _build_observation_space(self, agent: str) -> gymnasium.spaces.Dict: ...

    @abstractmethod
    def _build_action_space(self, agent: str) -> gymnasium.spaces.Discrete: ...

    @abstractmethod
    def _identity(self) -> dict[str, Any]:
        """Everything that changes dynamics or rewards (hashed into :attr:`provenance`)."""

    def _action_name(self, agent: str, action: int) -> str:
        """Readable name of an action, for error messages and transcripts."""
        return str(action)

    # ------------------------------------------------------------------ spaces
    @functools.lru_cache(maxsize=None)  # noqa: B019 - PettingZoo requires the same space object per agent
    def observation_space(self, agent: str) -> gymnasium.spaces.Dict:
        self._check_agent(agent)
        return self._build_observation_space(agent)

    @functools.lru_cache(maxsize=None)  # noqa: B019
    def action_space(self, agent: str) -> gymnasium.spaces.Discrete:
        self._check_agent(agent)
        return self._build_action_space(agent)

    def _check_agent(self, agent: str) -> None:
        if agent not in self.possible_agents:
            raise ValueError(f"unknown agent {agent!r}; the agents of {self.metadata['name']} are {self.possible_agents}")

    # ------------------------------------------------------------------ AEC API
    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        if seed is not None or self.np_random is None:
            self.np_random, self.np_random_seed = seeding.np_random(seed)
        self.agents = list(self.possible_agents)
        self.rewards = {agent: 0.0 for agent in self.agents}
        self._cumulative_rewards = {agent: 0.0 for agent in self.agents}
        self.terminations = {agent: False for agent in self.agents}
        self.truncations = {agent: False for agent in self.agents}
        self.infos = {agent: {} for agent in self.agents}
        self._transcript = []
        self._final_infos = {}
        self._skip_agent_selection = None
        self.agent_selection = self._new_game()

    def observe(self, agent: str) -> dict[str, np.ndarray]:
        self._check_agent(agent)
        observation = self._observe(agent)
        mask = np.zeros(self.action_space(agent).n, dtype=np.int8)
        if self.agents and agent == self.agent_selection and not (self.terminations.get(agent) or self.truncations.get(agent)):
            mask[self._legal_actions(agent)] = 1
        observation["action_mask"] = mask
        return observation

    def step(self, action: Any) -> None:
        if not self.agents:
            raise EpisodeOverError(f"{self.metadata['name']}: no agent is left to act; call reset() first")
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        action = self._validate_action(agent, action)
        self._cumulative_rewards[agent] = 0.0
        self._clear_rewards()
        move = self._play(agent, action)
        for name, reward in move.rewards.items():
            self.rewards[name] = float(reward)
        if move.next_agent is None:
            self.terminations = {name: True for name in self.agents}
            self.infos = {name: copy.deepcopy(self._final_infos.get(name, {})) for name in self.agents}
            self.agent_selection = self.agents[0]
        else:
            self.agent_selection = move.next_agent
        self._accumulate_rewards()

    def _validate_action(self, agent: str, action: Any) -> int:
        space = self.action_space(agent)
        if isinstance(action, np.ndarray) and action.shape == () and np.issubdtype(action.dtype, np.integer):
            action = action.item()
        if isinstance(action, bool) or not isinstance(action, (int, np.integer)):
            raise InvalidActionError(f"{agent}: an action is an integer in [0, {space.n}), got {action!r} ({type(action).__name__})")
        action = int(action)
        if not 0 <= action < space.n:
            raise InvalidActionError(f"{agent}: action {action} is outside the action space {space}")
        legal = self._legal_actions(agent)
        if not legal[action]:
            allowed = np.flatnonzero(legal)
            shown = ", ".join(f"{a} ({self._action_name(agent, int(a))})" for a in allowed[:12])
            more = f" and {len(allowed) - 12} more" if len(allowed) > 12 else ""
            raise InvalidActionError(
                f"{agent}: action {action} ({self._action_name(agent, action)}) is not legal now; legal actions "
                f"(observation['action_mask'] == 1): {shown}{more}"
            )
        return action

    # ------------------------------------------------------------------ display, identity
    def render(self) -> str | None:
        if self.render_mode is None:
            gymnasium.logger.warn(f"{self.metadata['name']}: render() called without a render_mode; pass render_mode='ansi'")
            return None
        return "\n".join(self._transcript)

    def close(self) -> None:
        pass

    @property
    def provenance(self) -> dict[str, Any]:
        """What this instance scores, with a hash (see :mod:`genenvs.core.provenance`)."""
        return provenance_record(self.metadata["name"], "aec", self._kwargs, self._identity(), [])


def wrap(raw: AECEnv) -> AECEnv:
    """The wrappers PettingZoo's classic games use, outermost last."""
    env = wrappers.TerminateIllegalWrapper(raw, illegal_reward=ILLEGAL_MOVE_REWARD)
    env = wrappers.AssertOutOfBoundsWrapper(env)
    return wrappers.OrderEnforcingWrapper(env)


def parallel_from_aec(env: AECEnv):
    """Parallel view of a wrapped turn-based game: only the acting agent's action is used."""
    return turn_based_aec_to_parallel(env)


__all__ = ["ILLEGAL_MOVE_REWARD", "Move", "TurnBasedGame", "parallel_from_aec", "wrap"]
