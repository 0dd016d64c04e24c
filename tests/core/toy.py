"""A tiny task for testing the generic machinery without any domain code.

Strings over {a, b, c}; a context asks for a target letter; the score is the fraction of
target letters. The grammar forbids "cc". Samples ending in "b" are invalid.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from genenvs.core.factory import entry_points
from genenvs.core.task import Context, TokenTask
from genenvs.core.vocab import Vocabulary
from genenvs.rewards.base import FunctionScorer
from genenvs.rewards.step import LengthPenalty


class ToyTask(TokenTask):
    name = "toy"
    has_grammar_mask = True
    accepts_text = True

    def __init__(self, max_length: int = 6, min_length: int = 1) -> None:
        self.vocab = Vocabulary(["a", "b", "c"])
        self.max_length = max_length
        self.min_length = min_length
        self.context_space = spaces.Discrete(3)
        self.scorer = FunctionScorer(lambda text, target: text.count("abc"[target]) / max(len(text), 1), "target_fraction", uses_context=True, invalid_score=-1.0)

    def sample_context(self, rng):
        target = int(rng.integers(3))
        return Context(observation=target, payload=target)

    def decode(self, ids, context):
        text = "".join(self.vocab.symbols(ids))
        return text, not text.endswith("b") and len(text) > 0

    def encode(self, sample, context=None):
        return np.append(self.vocab.ids(list(sample)), 0)

    def action_mask(self, tokens, lengths, contexts):
        mask = np.ones((len(tokens), len(self.vocab)), dtype=bool)
        last = tokens[np.arange(len(tokens)), np.maximum(lengths - 1, 0)]
        mask[:, self.vocab.index("c")] = ~((lengths > 0) & (last == self.vocab.index("c")))
        return mask


def build(max_length: int = 6, length_cost: float = 0.0):
    return ToyTask(max_length), ([LengthPenalty(length_cost)] if length_cost else [])


make_toy, make_toy_vec = entry_points(build)
