"""referential_v0: the Lewis signalling game, where a language is generated to be understood.

Lewis (1969) posed the signalling game; Lazaridou et al. (2017) and Havrylov & Titov (2017)
made it the standard testbed of emergent communication. The ``speaker`` sees a target
among distractors (handwritten digits from scikit-learn, or molecule fingerprints) and
generates a message token by token from an alphabet with no prior meaning; the
``listener`` sees the message and the same candidates in its own shuffled order and points
at one. Both receive the same reward, 1 when the listener picks the target, minus an
optional cost per message token, so any meaning the symbols acquire is invented by the
pair. With ``referents="digits"`` the candidates of a game are different digits, so a
message that names the digit class is enough, but the speaker must recognise handwriting.

Random-vs-random baseline (uniform legal actions, 1,000 games, seeds 0..999, defaults;
``python -m genenvs.multiagent.random_baseline``): success rate 0.233 (shared return
0.233 +- 0.423; chance is 1/n_candidates = 0.25), mean message length 1.92 symbols.

Turn structure: the speaker moves until it chooses ``<end>`` (action 0, illegal as the
first token) or reaches ``max_message_length`` tokens; then the listener moves once and
the game ends.

Observations (``N = n_candidates``, ``F`` = feature size: 64 for digits, ``fingerprint_bits``
for molecules, ``M = max_message_length``, pad id ``vocab_size + 1``):

=================  ===================  =====================================================
key                dtype, shape         meaning
=================  ===================  =====================================================
``observation``    float32 ``(N, F)``   speaker: the target in row 0, then the distractors;
                                        listener: the candidates in its own random order
``message``        int64 ``(M,)``       the message so far (symbols ``1..vocab_size``), padded
``action_mask``    int8                 speaker ``(vocab_size + 1,)``, listener ``(N,)``;
                                        zeros when it is not the agent's turn
=================  ===================  =====================================================

Actions: speaker ``Discrete(vocab_size + 1)`` (``0`` ends the message), listener
``Discrete(N)`` (the index of a candidate in its own order). At the end both agents'
``info`` holds ``success``, ``choice``, ``target`` (listener indices), ``message``,
``message_length`` and ``reward_components`` (``success`` and ``length_cost``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.utils import EzPickle

from genenvs.multiagent.base import Move, TurnBasedGame, parallel_from_aec, wrap
from genenvs.multiagent.sources import REFERENTS, load_referents

SPEAKER, LISTENER = "speaker", "listener"
END = 0


def env(**kwargs: Any):
    """The AEC game with PettingZoo's classic wrappers (an illegal move ends it with -1)."""
    return wrap(raw_env(**kwargs))


def parallel_env(**kwargs: Any):
    """The parallel view: each step every live agent submits an action; the acting one's is used."""
    return parallel_from_aec(env(**kwargs))


class raw_env(TurnBasedGame, EzPickle):
    """Speaker and listener playing one round of a referential game.

    Args:
        referents: ``"digits"`` (scikit-learn's 8x8 digits; at most 10 candidates, all of
            different classes) or ``"molecules"`` (Morgan fingerprints of MOSES molecules).
        n_candidates: the target plus ``n_candidates - 1`` distractors.
        vocab_size: number of message symbols (actions ``1..vocab_size``; ``0`` is ``<end>``).
        max_message_length: longest message, in symbols.
        length_cost: subtracted from the shared reward per message symbol.
        fingerprint_bits: feature size for ``referents="molecules"``.
        render_mode: ``"ansi"`` for a transcript from :meth:`render`.
    """

    metadata = {"render_modes": ["ansi"], "name": "referential_v0", "is_parallelizable": False}
    possible_agents = [SPEAKER, LISTENER]
    version = "0"

    def __init__(
        self,
        referents: str = "digits",
        n_candidates: int = 4,
        vocab_size: int = 10,
        max_message_length: int = 2,
        length_cost: float = 0.0,
        fingerprint_bits: int = 256,
        render_mode: str | None = None,
    ) -> None:
        EzPickle.__init__(
            self,
            referents=referents,
            n_candidates=n_candidates,
            vocab_size=vocab_size,
            max_message_length=max_message_length,
            length_cost=length_cost,
            fingerprint_bits=fingerprint_bits,
            render_mode=render_mode,
        )
        super().__init__(render_mode)
        if referents not in REFERENTS:
            raise ValueError(f"unknown referents {referents!r}; choose one of {sorted(REFERENTS)}")
        for name, value, low in (("n_candidates", n_candidates, 2), ("vocab_size", vocab_size, 1), ("max_message_length", max_message_length, 1)):
            if not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        if not np.isfinite(length_cost) or length_cost < 0:
            raise ValueError(f"length_cost must be a finite number >= 0, got {length_cost!r}")
        self.referents = load_referents(referents, n_bits=int(fingerprint_bits)) if referents == "molecules" else load_referents(referents)
        if n_candidates > self.referents.max_candidates:
            raise ValueError(f"n_candidates={n_candidates} is more than {referents!r} supports ({self.referents.max_candidates})")
        self.n_candidates = int(n_candidates)
        self.vocab_size = int(vocab_size)
        self.max_message_length = int(max_message_length)
        self.length_cost = float(length_cost)
        self.pad_id = self.vocab_size + 1
        self._kwargs = {
            "referents": referents,
            "n_candidates": self.n_candidates,
            "vocab_size": self.vocab_size,
            "max_message_length": self.max_message_length,
            "length_cost": self.length_cost,
        }
        if referents == "molecules":
            self._kwargs["fingerprint_bits"] = int(fingerprint_bits)

    # ------------------------------------------------------------------ spaces
    def _build_observation_space(self, agent: str) -> spaces.Dict:
        n_actions = self.vocab_size + 1 if agent == SPEAKER else self.n_candidates
        return spaces.Dict(
            {
                "observation": spaces.Box(0.0, 1.0, (self.n_candidates, self.referents.dim), np.float32),
                "message": spaces.Box(0, self.pad_id, (self.max_message_length,), np.int64),
                "action_mask": spaces.Box(0, 1, (n_actions,), np.int8),
            }
        )

    def _build_action_space(self, agent: str) -> spaces.Discrete:
        return spaces.Discrete(self.vocab_size + 1 if agent == SPEAKER else self.n_candidates)

    def _identity(self) -> dict[str, Any]:
        return {"game": self.metadata["name"], "version": self.version, "params": self._kwargs, "referents": self.referents.identity()}

    def _action_name(self, agent: str, action: int) -> str:
        if agent == SPEAKER:
            return "<end>" if action == END else f"s{action}"
        return f"candidate {action}"

    # ------------------------------------------------------------------ game
    def _new_game(self) -> str:
        self._candidates, self._names = self.referents.draw(self.np_random, self.n_candidates)
        #: listener row i shows candidate self._order[i]; candidate 0 is the target.
        self._order = self.np_random.permutation(self.n_candidates)
        self._message: list[int] = []
        self._transcript.append(f"referential_v0: target {self._names[0]}; distractors {', '.join(self._names[1:])}")
        return SPEAKER

    @property
    def target_index(self) -> int:
        """Where the target is in the listener's order."""
        return int(np.flatnonzero(self._order == 0)[0])

    def _observe(self, agent: str) -> dict[str, np.ndarray]:
        message = np.full(self.max_message_length, self.pad_id, dtype=np.int64)
        message[: len(self._message)] = self._message
        rows = self._candidates if agent == SPEAKER else self._candidates[self._order]
        return {"observation": rows.copy(), "message": message}

    def _legal_actions(self, agent: str) -> np.ndarray:
        if agent == LISTENER:
            return np.ones(self.n_candidates, dtype=bool)
        legal = np.ones(self.vocab_size + 1, dtype=bool)
        legal[END] = len(self._message) > 0
        return legal

    def _play(self, agent: str, action: int) -> Move:
        if agent == SPEAKER:
            if action != END:
                self._message.append(action)
            if action == END or len(self._message) == self.max_message_length:
                self._transcript.append(f"speaker   says {' '.join(f's{s}' for s in self._message)}")
                return Move(LISTENER)
            return Move(SPEAKER)
        success = action == self.target_index
        cost = self.length_cost * len(self._message)
        reward = float(success) - cost
        self._transcript.append(
            f"listener  picks {self._names[self._order[action]]} -> {'success' if success else 'failure'} (reward {reward:+.3f})"
        )
        info = {
            "success": bool(success),
            "choice": int(action),
            "target": self.target_index,
            "message": list(self._message),
            "message_length": len(self._message),
            "reward_components": {"success": float(success), "length_cost": -cost},
        }
        self._final_infos = {SPEAKER: info, LISTENER: info}
        return Move(None, {SPEAKER: reward, LISTENER: reward})


__all__ = ["env", "parallel_env", "raw_env"]
