"""negotiation_v0: Deal or No Deal, the multi-issue bargaining game of Lewis et al. (2017).

Two negotiators must divide a pool of books, hats and balls. Both see the item counts;
each privately values every item type, and each one's values add up to 10 over the whole
pool, so the pool is worth the same to both while their priorities differ. They take
turns speaking, either in structured proposals ("I take 2 books and the ball") or in
utterances of an ungrounded token vocabulary whose meaning is theirs to invent, until one
of them calls ``<selection>`` (or ``max_turns`` utterances were made). Then each secretly
writes the division it believes was agreed. If the two divisions are compatible (together
they allocate every item exactly) each negotiator earns the value of its share under its
own values; otherwise both earn 0. Lewis et al. trained dialogue agents by supervised
learning and then by RL against a fixed partner; with two learners the game poses the
cooperation/competition trade-off of self-play negotiation (Cao et al., 2018).

Instances follow the paper's rules, as its released contexts show: 3 item types with 1-4
items each (5-7 in total); each agent's integer values sum to 10 over the pool; every item
type is worth something to at least one agent, and at least one is worth something to
both. Counts are drawn uniformly among the allowed ones, then a value pair uniformly among
the pairs allowed for those counts.

Random-vs-random baseline (uniform legal actions, 1,000 games, seeds 0..999, defaults;
``python -m genenvs.multiagent.random_baseline``): agreement in 4.6% of games, return
0.24 +- 1.30 per negotiator (an agreement pays 5.2 on average; 1.3% of games end in a
Pareto-optimal deal).

Turn structure: a random negotiator opens. In the dialogue phase the negotiator to move
either utters (``protocol="proposals"``: one action naming the share it asks for;
``protocol="tokens"``: symbols ending with ``<eou>`` or at ``max_utterance_length``) or,
once at least one utterance was made, ends the dialogue with ``<selection>``. In the
writing phase ``negotiator_0`` then ``negotiator_1`` write a final division, neither
seeing the other's.

Actions (``Discrete``): ``0`` = ``<selection>``; ``1 + 25 b + 5 h + k`` = the division
"I take b books, h hats, k balls" (:func:`division_action`), legal when within the counts
(a proposal while talking, the final division while writing); with ``protocol="tokens"``
``126 .. 125 + vocab_size`` are the symbols ``w1..`` and ``126 + vocab_size`` is ``<eou>``.

Observations (``A`` = number of actions, ``D`` = dialogue capacity):

=================  ================  =============================================================
key                dtype, shape      meaning
=================  ================  =============================================================
``observation``    int64 ``(8,)``    item counts (3), own values (3), phase (0 talk, 1 write),
                                     utterances left
``dialogue``       int64 ``(D,)``    the dialogue's actions in order: own ones as ``a``, the
                                     partner's as ``A + a``, padded with ``2 A``
``action_mask``    int8 ``(A,)``     legal actions (zeros when it is not the agent's turn)
=================  ================  =============================================================

At the end both agents' ``info`` holds ``agreement``, ``divisions`` and ``values`` (per
agent), ``counts``, ``pareto_optimal`` (the agreed deal cannot be improved for one
negotiator without hurting the other) and ``reward_components`` (``deal_value``).
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.utils import EzPickle

from genenvs.multiagent.base import Move, TurnBasedGame, parallel_from_aec, wrap

ITEMS = ("book", "hat", "ball")
MAX_COUNT = 4
TOTAL_VALUE = 10
MIN_ITEMS, MAX_ITEMS = 5, 7
SELECTION = 0
N_DIVISIONS = (MAX_COUNT + 1) ** len(ITEMS)
PROTOCOLS = ("proposals", "tokens")
AGENTS = ("negotiator_0", "negotiator_1")


def division_action(take: tuple[int, int, int] | np.ndarray) -> int:
    """The action that proposes or writes "I take ``take``" (books, hats, balls)."""
    b, h, k = (int(x) for x in take)
    if not all(0 <= x <= MAX_COUNT for x in (b, h, k)):
        raise ValueError(f"a share takes 0..{MAX_COUNT} of each item, got {tuple(take)}")
    return 1 + b * (MAX_COUNT + 1) ** 2 + h * (MAX_COUNT + 1) + k


def action_division(action: int) -> np.ndarray:
    """The share "I take (books, hats, balls)" named by a division action."""
    if not 1 <= action <= N_DIVISIONS:
        raise ValueError(f"division actions are 1..{N_DIVISIONS}, got {action}")
    b, rest = divmod(action - 1, (MAX_COUNT + 1) ** 2)
    h, k = divmod(rest, MAX_COUNT + 1)
    return np.array([b, h, k], dtype=np.int64)


def describe(take: np.ndarray) -> str:
    return ", ".join(f"{n} {item}{'s' if n != 1 else ''}" for n, item in zip(take, ITEMS))


@functools.cache
def allowed_counts() -> tuple[tuple[int, int, int], ...]:
    """Item counts of the paper's instances: 1-4 of each type, 5-7 items in total."""
    return tuple(c for c in itertools.product(range(1, MAX_COUNT + 1), repeat=len(ITEMS)) if MIN_ITEMS <= sum(c) <= MAX_ITEMS)


@functools.cache
def allowed_value_pairs(counts: tuple[int, int, int]) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """Pairs of private values for ``counts``: each sums to 10 over the pool, every item type
    is worth something to someone, and some item type is worth something to both."""
    ranges = [range(TOTAL_VALUE // c + 1) for c in counts]
    values = [v for v in itertools.product(*ranges) if sum(c * x for c, x in zip(counts, v)) == TOTAL_VALUE]
    return tuple(
        (a, b)
        for a in values
        for b in values
        if all(x > 0 or y > 0 for x, y in zip(a, b)) and any(x > 0 and y > 0 for x, y in zip(a, b))
    )


def env(**kwargs: Any):
    """The AEC game with PettingZoo's classic wrappers (an illegal move ends it with -1)."""
    return wrap(raw_env(**kwargs))


def parallel_env(**kwargs: Any):
    """The parallel view: each step every live agent submits an action; the acting one's is used."""
    return parallel_from_aec(env(**kwargs))


class raw_env(TurnBasedGame, EzPickle):
    """Two negotiators dividing books, hats and balls.

    Args:
        protocol: ``"proposals"`` (an utterance is one structured proposal) or ``"tokens"``
            (an utterance is a sequence of ungrounded symbols).
        max_turns: utterances allowed before the writing phase starts anyway.
        vocab_size: number of symbols for ``protocol="tokens"``.
        max_utterance_length: symbols per utterance for ``protocol="tokens"``.
        render_mode: ``"ansi"`` for a transcript from :meth:`render`.
    """

    metadata = {"render_modes": ["ansi"], "name": "negotiation_v0", "is_parallelizable": False}
    possible_agents = list(AGENTS)
    version = "0"

    def __init__(self, protocol: str = "proposals", max_turns: int = 10, vocab_size: int = 16, max_utterance_length: int = 4, render_mode: str | None = None) -> None:
        EzPickle.__init__(self, protocol=protocol, max_turns=max_turns, vocab_size=vocab_size, max_utterance_length=max_utterance_length, render_mode=render_mode)
        super().__init__(render_mode)
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r}; choose one of {list(PROTOCOLS)}")
        for name, value in (("max_turns", max_turns), ("vocab_size", vocab_size), ("max_utterance_length", max_utterance_length)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.protocol = protocol
        self.max_turns = int(max_turns)
        self.tokens = protocol == "tokens"
        self.vocab_size = int(vocab_size) if self.tokens else 0
        self.max_utterance_length = int(max_utterance_length) if self.tokens else 1
        self.first_token = 1 + N_DIVISIONS
        self.eou = self.first_token + self.vocab_size  # only used with protocol="tokens"
        self.n_actions = self.eou + 1 if self.tokens else self.first_token
        # an utterance takes at most max_utterance_length actions (<eou> only ends shorter ones),
        # and <selection> replaces an utterance
        self.dialogue_capacity = self.max_turns * self.max_utterance_length
        self._kwargs = {"protocol": protocol, "max_turns": self.max_turns}
        if self.tokens:
            self._kwargs.update(vocab_size=self.vocab_size, max_utterance_length=self.max_utterance_length)

    # ------------------------------------------------------------------ spaces
    def _build_observation_space(self, agent: str) -> spaces.Dict:
        high = np.array([MAX_COUNT] * 3 + [TOTAL_VALUE] * 3 + [1, self.max_turns], dtype=np.int64)
        return spaces.Dict(
            {
                "observation": spaces.Box(np.zeros(8, dtype=np.int64), high, (8,), np.int64),
                "dialogue": spaces.Box(0, 2 * self.n_actions, (self.dialogue_capacity,), np.int64),
                "action_mask": spaces.Box(0, 1, (self.n_actions,), np.int8),
            }
        )

    def _build_action_space(self, agent: str) -> spaces.Discrete:
        return spaces.Discrete(self.n_actions)

    def _identity(self) -> dict[str, Any]:
        rules = {"items": ITEMS, "max_count": MAX_COUNT, "total_items": [MIN_ITEMS, MAX_ITEMS], "total_value": TOTAL_VALUE}
        return {"game": self.metadata["name"], "version": self.version, "params": self._kwargs, "rules": rules}

    def _action_name(self, agent: str, action: int) -> str:
        if action == SELECTION:
            return "<selection>"
        if action <= N_DIVISIONS:
            return f"take {describe(action_division(action))}"
        return "<eou>" if action == self.eou else f"w{action - N_DIVISIONS}"

    # ------------------------------------------------------------------ game
    def _new_game(self) -> str:
        rng = self.np_random
        counts = allowed_counts()[int(rng.integers(len(allowed_counts())))]
        pairs = allowed_value_pairs(counts)
        values = pairs[int(rng.integers(len(pairs)))]
        self.counts = np.array(counts, dtype=np.int64)
        self.values = {agent: np.array(v, dtype=np.int64) for agent, v in zip(AGENTS, values)}
        self._writing = False
        self._utterances = 0
        self._utterance: list[int] = []
        self._dialogue: list[tuple[str, int]] = []
        self._divisions: dict[str, np.ndarray] = {}
        first = AGENTS[int(rng.integers(2))]
        self._transcript.append(f"negotiation_v0: pool {describe(self.counts)}")
        for agent in AGENTS:
            self._transcript.append(f"  {agent} values {', '.join(f'{item} {v}' for item, v in zip(ITEMS, self.values[agent]))}")
        return first

    def _other(self, agent: str) -> str:
        return AGENTS[1 - AGENTS.index(agent)]

    def _observe(self, agent: str) -> dict[str, np.ndarray]:
        state = np.concatenate([self.counts, self.values[agent], [int(self._writing), self.max_turns - self._utterances]]).astype(np.int64)
        dialogue = np.full(self.dialogue_capacity, 2 * self.n_actions, dtype=np.int64)
        for i, (speaker, action) in enumerate(self._dialogue):
            dialogue[i] = action if speaker == agent else self.n_actions + action
        return {"observation": state, "dialogue": dialogue}

    def _shares(self) -> np.ndarray:
        """Mask of the division actions within the counts."""
        legal = np.zeros(self.n_actions, dtype=bool)
        for take in itertools.product(*(range(c + 1) for c in self.counts)):
            legal[division_action(take)] = True
        return legal

    def _legal_actions(self, agent: str) -> np.ndarray:
        if self._writing or not self.tokens:
            legal = self._shares()
        else:
            legal = np.zeros(self.n_actions, dtype=bool)
            legal[self.first_token : self.eou] = True
            legal[self.eou] = len(self._utterance) > 0
        if not self._writing:
            legal[SELECTION] = self._utterances > 0 and not self._utterance
        return legal

    def _play(self, agent: str, action: int) -> Move:
        if self._writing:
            return self._write(agent, action)
        self._dialogue.append((agent, action))
        if action == SELECTION:
            self._transcript.append(f"{agent}: <selection>")
            return self._start_writing()
        if self.tokens and action != self.eou:
            self._utterance.append(action)
            if len(self._utterance) < self.max_utterance_length:
                return Move(agent)
        said = " ".join(self._action_name(agent, a) for a in self._utterance) if self.tokens else self._action_name(agent, action)
        self._transcript.append(f"{agent}: {said}")
        self._utterance = []
        self._utterances += 1
        if self._utterances == self.max_turns:
            self._transcript.append(f"({self.max_turns} utterances: the dialogue is over)")
            return self._start_writing()
        return Move(self._other(agent))

    def _start_writing(self) -> Move:
        self._writing = True
        return Move(AGENTS[0])

    def _write(self, agent: str, action: int) -> Move:
        self._divisions[agent] = action_division(action)
        self._transcript.append(f"{agent} writes: I take {describe(self._divisions[agent])}")
        if agent == AGENTS[0]:
            return Move(AGENTS[1])
        agreement = bool(np.array_equal(self._divisions[AGENTS[0]] + self._divisions[AGENTS[1]], self.counts))
        rewards = {a: float(self.values[a] @ self._divisions[a]) if agreement else 0.0 for a in AGENTS}
        pareto = agreement and self._pareto_optimal(self._divisions[AGENTS[0]])
        self._transcript.append(
            ("agreement" + (" (Pareto optimal)" if pareto else "") if agreement else "no agreement")
            + ": " + ", ".join(f"{a} {r:g}" for a, r in rewards.items())
        )
        shared = {
            "agreement": agreement,
            "divisions": {a: self._divisions[a].tolist() for a in AGENTS},
            "values": {a: self.values[a].tolist() for a in AGENTS},
            "counts": self.counts.tolist(),
            "pareto_optimal": pareto,
        }
        self._final_infos = {a: {**shared, "reward_components": {"deal_value": rewards[a]}} for a in AGENTS}
        return Move(None, rewards)

    def _pareto_optimal(self, take_0: np.ndarray) -> bool:
        """Whether no division gives one negotiator more without giving the other less."""
        v0, v1 = self.values[AGENTS[0]], self.values[AGENTS[1]]
        u0, u1 = v0 @ take_0, v1 @ (self.counts - take_0)
        for take in itertools.product(*(range(c + 1) for c in self.counts)):
            x0, x1 = v0 @ np.array(take), v1 @ (self.counts - np.array(take))
            if x0 >= u0 and x1 >= u1 and (x0 > u0 or x1 > u1):
                return False
        return True


__all__ = ["action_division", "allowed_counts", "allowed_value_pairs", "division_action", "env", "parallel_env", "raw_env"]
