"""The architecture grammar as a finite automaton over token ids.

Every prefix the controller can emit is a state of a small deterministic automaton: where
we are inside the current layer, how many layers are complete, and whether a dense layer
was used (convolutions must come first). The automaton is compiled into two tables,

* ``transition[state, token]`` (the pad id leaves a state unchanged), and
* ``legal[state, token]`` (the action mask),

so the masks of n episodes cost one table walk over the ``max_length`` positions with
array operations, whatever n is. ``<end>`` is legal only between layers, after at least
one, so every masked walk yields a complete architecture (tested with random walks).
"""

from __future__ import annotations

import itertools

import numpy as np

from genenvs.nas.space import LAYER_TYPES, SKIP_TOKENS, SearchSpace

#: Position inside a layer, in emission order. ``between`` is the state after a complete
#: layer (or after the optimiser), where a new layer or ``<end>`` may follow.
PHASES = ("optimizer", "between", "conv_width", "conv_kernel", "conv_activation", "conv_skip", "dense_width", "dense_activation", "dense_skip", "dead")


class ArchitectureGrammar:
    """Compiled automaton of a :class:`~genenvs.nas.space.SearchSpace`."""

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        vocab = space.vocab
        V = len(vocab)
        states = [("optimizer", 0, False)] + [
            (phase, n, dense)
            for phase, n, dense in itertools.product(PHASES[1:-1], range(space.max_layers + 1), (False, True))
            if not (phase.startswith("conv") and dense) and not (phase.startswith("dense") and not dense)
        ] + [("dead", 0, False)]
        index = {s: i for i, s in enumerate(states)}
        self.states = states
        self.dead = index[("dead", 0, False)]
        self.start = index[("optimizer", 0, False)]
        ids = lambda tokens: [vocab.index(t) for t in tokens]  # noqa: E731
        groups = {
            "optimizer": ids(space.optimizers),
            "width": ids([f"w{w}" for w in space.widths]),
            "kernel": ids([f"k{k}" for k in space.kernels]),
            "activation": ids(space.activations),
            "skip": ids(SKIP_TOKENS),
        }
        conv, dense = vocab.index(LAYER_TYPES[0]), vocab.index(LAYER_TYPES[1])

        # default: every token leads to the dead state; pad (id V) keeps the state
        transition = np.full((len(states), V + 1), self.dead, dtype=np.int64)
        transition[:, V] = np.arange(len(states))
        legal = np.zeros((len(states), V), dtype=bool)

        def allow(state: tuple, tokens: list[int], target: tuple | None) -> None:
            s = index[state]
            legal[s, tokens] = True
            if target is not None:
                transition[s, tokens] = index[target]

        allow(("optimizer", 0, False), groups["optimizer"], ("between", 0, False))
        for n, d in itertools.product(range(space.max_layers + 1), (False, True)):
            if n >= 1:
                allow(("between", n, d), [vocab.end_id], None)
            if n < space.max_layers:
                if not d:
                    allow(("between", n, d), [conv], ("conv_width", n, False))
                allow(("between", n, d), [dense], ("dense_width", n, True))
            if not d:
                allow(("conv_width", n, d), groups["width"], ("conv_kernel", n, d))
                allow(("conv_kernel", n, d), groups["kernel"], ("conv_activation", n, d))
                allow(("conv_activation", n, d), groups["activation"], ("conv_skip", n, d))
                if n < space.max_layers:
                    allow(("conv_skip", n, d), groups["skip"], ("between", n + 1, d))
            else:
                allow(("dense_width", n, d), groups["width"], ("dense_activation", n, d))
                allow(("dense_activation", n, d), groups["activation"], ("dense_skip", n, d))
                if n < space.max_layers:
                    allow(("dense_skip", n, d), groups["skip"], ("between", n + 1, d))
        # a state no legal walk reaches still offers <end>, so a mask is never empty
        empty = ~legal.any(axis=1)
        legal[empty, vocab.end_id] = True
        self.transition = transition
        self.legal = legal
        self._accepting = np.array([phase == "between" and n >= 1 for phase, n, _ in states])

    # ------------------------------------------------------------------ batched views
    def state(self, tokens: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        """Automaton state of each row of ``tokens`` ``(n, L)`` after its first ``lengths`` ids."""
        tokens = np.asarray(tokens, dtype=np.int64)
        n, L = tokens.shape
        pad = self.transition.shape[1] - 1
        if lengths is not None:
            tokens = np.where(np.arange(L)[None, :] < np.asarray(lengths)[:, None], tokens, pad)
        state = np.full(n, self.start, dtype=np.int64)
        for t in range(L):
            state = self.transition[state, tokens[:, t]]
        return state

    def masks(self, tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Legal next tokens ``(n, V)`` of every row."""
        return self.legal[self.state(tokens, lengths)]

    def complete(self, tokens: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Whether each row spells a complete architecture (``<end>`` would be legal)."""
        return self._accepting[self.state(tokens, lengths)]

    def accepts(self, ids: np.ndarray) -> bool:
        """Whether the id sequence (no ``<end>``) is a complete architecture of the space."""
        ids = np.asarray(ids, dtype=np.int64)[None, :]
        if ids.size and (ids.min() < 1 or ids.max() >= self.legal.shape[1]):
            return False
        return bool(self.complete(ids, np.array([ids.shape[1]]))[0])
