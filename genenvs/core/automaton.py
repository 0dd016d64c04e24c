"""Rows of a compiled finite automaton: the incremental grammar state the engine drives.

A grammar that is a finite automaton compiles to two tables, ``next_state[s, t]`` and
``legal[s, t]``. Each episode then carries one state id: appending a token is a lookup
and the masks of all rows are one gather, whatever the prefix lengths. CodeDSL's program
grammar and NASGen's architecture grammar both hand the engine one of these
(:meth:`genenvs.core.task.TokenTask.grammar_state`).
"""

from __future__ import annotations

import numpy as np


class AutomatonRows:
    """The automaton states of ``n`` episodes.

    Args:
        next_state: ``(S, V')`` int table, ``V' >= V``: the state after each token.
        legal: ``(S, V)`` bool table: the tokens each state allows.
        n: number of rows.
        start: the state of an empty sample.
    """

    def __init__(self, next_state: np.ndarray, legal: np.ndarray, n: int, start: int = 0) -> None:
        self.next_state = next_state
        self.legal = legal
        self.n = int(n)
        self.start = int(start)
        self.state = np.full(self.n, self.start, dtype=next_state.dtype)

    def reset(self, rows: np.ndarray | None = None) -> None:
        """Back to the empty sample for ``rows`` (a bool mask or index array; default all)."""
        self.state[slice(None) if rows is None else rows] = self.start

    def advance(self, rows: np.ndarray, ids: np.ndarray) -> None:
        """Row ``rows[i]`` appends ``ids[i]``, already checked against :meth:`masks` by the caller."""
        self.state[rows] = self.next_state[self.state[rows], ids]

    def masks(self) -> np.ndarray:
        """``(n, V)`` bool, a fresh array: the tokens each row may take next."""
        return self.legal[self.state]
