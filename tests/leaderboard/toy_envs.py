"""Two tiny registered token environments outside any genenvs domain, for the generic paths.

``GenenvsToy-v0`` (tests/core/toy.py) is conditional: its samples are scored against a
per-episode target the entry does not store. ``GenenvsPlainToy-v0`` is the same alphabet
without a context (score = fraction of ``a``), so its samples can be re-scored through
the task's own ``encode``/``decode``.
"""

from __future__ import annotations

import gymnasium as gym

from genenvs.core.factory import entry_points
from genenvs.core.task import Context
from genenvs.rewards.base import FunctionScorer
from tests.core.toy import ToyTask

TOY = "GenenvsToy-v0"
PLAIN_TOY = "GenenvsPlainToy-v0"


class PlainToyTask(ToyTask):
    name = "plain_toy"

    def __init__(self, max_length: int = 6) -> None:
        super().__init__(max_length)
        self.context_space = None
        self.scorer = FunctionScorer(lambda text: text.count("a") / max(len(text), 1), "a_fraction", invalid_score=-1.0)

    def sample_context(self, rng):
        return Context()


def build_plain(max_length: int = 6):
    return PlainToyTask(max_length), []


make_plain, make_plain_vec = entry_points(build_plain)


def register() -> None:
    if TOY not in gym.registry:
        gym.register(TOY, entry_point="tests.core.toy:make_toy", vector_entry_point="tests.core.toy:make_toy_vec")
    if PLAIN_TOY not in gym.registry:
        gym.register(PLAIN_TOY, entry_point="tests.leaderboard.toy_envs:make_plain", vector_entry_point="tests.leaderboard.toy_envs:make_plain_vec")
