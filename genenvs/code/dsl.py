"""CodeDSL: a small list-processing language in the style of DeepCoder (Balog et al., 2017).

A program takes one input ``a`` (a list of ints) and is a straight-line sequence of
statements; statement *k* defines the variable after the previous one (``b``, ``c``, ...)
and the program's output is the last variable::

    a: [int]
    b = FILTER (>0) a
    c = MAP (*2) b          # output: the doubled positive items of a

Functions (DeepCoder's set), with their argument kinds and result type:

=========  ================================  ======  =======================================
function   arguments                         result  meaning
=========  ================================  ======  =======================================
HEAD       list                              int     first item (None if empty)
LAST       list                              int     last item (None if empty)
TAKE       int, list                         list    first n items
DROP       int, list                         list    all but the first n items
ACCESS     int, list                         int     item n (None if out of range)
MINIMUM    list                              int     smallest item (None if empty)
MAXIMUM    list                              int     largest item (None if empty)
REVERSE    list                              list    reversed
SORT       list                              list    sorted ascending
SUM        list                              int     sum (0 if empty)
MAP        unary lambda, list                list    f applied to every item
FILTER     predicate, list                   list    items where the predicate holds
COUNT      predicate, list                   int     number of items where it holds
ZIPWITH    binary lambda, list, list         list    f(x_i, y_i), as long as the shorter list
SCANL1     binary lambda, list               list    running fold: y_0 = x_0, y_i = f(y_{i-1}, x_i)
=========  ================================  ======  =======================================

Lambdas: unary ``(+1) (-1) (*2) (/2) (*(-1)) (**2) (*3) (/3) (*4) (/4)`` (``/`` is floor
division, as Haskell's ``div``), predicates ``(>0) (<0) (%2==0) (%2==1)``, binary
``(+) (-) (*) (MIN) (MAX)``.

Values: every int a function produces is clipped to ``[INT_MIN, INT_MAX] = [-256, 255]``,
DeepCoder's integer range. A function that has no answer (HEAD of an empty list, ACCESS
out of range) yields ``None``, and ``None`` propagates through every later use, so
:meth:`Program.run` never raises on well-typed input.

Tokens. The token form of the example above is ``FILTER (>0) a MAP (*2) b <end>``: a
function token, then its arguments, statement after statement, and ``<end>`` after the
last statement. Assignment targets are implicit, so every token carries information.
Because each function has a fixed arity and argument kinds, a left-to-right automaton
knows exactly which tokens may come next (:class:`MaskState`): after ``MAP`` only unary
lambdas, after ``(>0)`` only variables already defined as lists, ``TAKE``/``DROP``/
``ACCESS`` only once some variable holds an int, ``<end>`` only between statements.
Every prefix the mask allows can be completed, and at most ``4 * max_statements + 1``
tokens (end included) are ever needed.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from genenvs.core.automaton import AutomatonRows
from genenvs.core.errors import GenEnvsError

INT_MIN, INT_MAX = -256, 255
#: Largest number of statements a program can have (the vocabulary has this many + 1 variables).
MAX_STATEMENTS = 8

Value = int | list[int] | None


class DSLSyntaxError(GenEnvsError, ValueError):
    """A token sequence that is not a CodeDSL program; the message names the offending token."""


class Kind(enum.IntEnum):
    """What the next token must be. Also used as the type of a variable (LIST or INT)."""

    STATEMENT = 0  # a function starting a new statement, or <end>
    UNARY = 1
    PREDICATE = 2
    BINARY = 3
    LIST = 4  # a variable holding a list
    INT = 5  # a variable holding an int
    DONE = 6  # after <end>


_KIND_WORDS = {
    Kind.STATEMENT: "a function or <end>",
    Kind.UNARY: "a unary lambda such as (+1)",
    Kind.PREDICATE: "a predicate such as (>0)",
    Kind.BINARY: "a binary lambda such as (+)",
    Kind.LIST: "a variable holding a list",
    Kind.INT: "a variable holding an int",
    Kind.DONE: "nothing (the program ended)",
}


# ------------------------------------------------------------------------------------
# semantics
# ------------------------------------------------------------------------------------


def _clip(x: int) -> int:
    return INT_MIN if x < INT_MIN else INT_MAX if x > INT_MAX else x


UNARY: dict[str, Callable[[int], int]] = {
    "(+1)": lambda x: x + 1,
    "(-1)": lambda x: x - 1,
    "(*2)": lambda x: x * 2,
    "(/2)": lambda x: x // 2,
    "(*(-1))": lambda x: -x,
    "(**2)": lambda x: x * x,
    "(*3)": lambda x: x * 3,
    "(/3)": lambda x: x // 3,
    "(*4)": lambda x: x * 4,
    "(/4)": lambda x: x // 4,
}
PREDICATES: dict[str, Callable[[int], bool]] = {
    "(>0)": lambda x: x > 0,
    "(<0)": lambda x: x < 0,
    "(%2==0)": lambda x: x % 2 == 0,
    "(%2==1)": lambda x: x % 2 == 1,
}
BINARY: dict[str, Callable[[int, int], int]] = {
    "(+)": lambda x, y: x + y,
    "(-)": lambda x, y: x - y,
    "(*)": lambda x, y: x * y,
    "(MIN)": min,
    "(MAX)": max,
}


def _scanl1(f: Callable[[int, int], int], xs: list[int]) -> list[int]:
    out: list[int] = []
    for x in xs:
        out.append(x if not out else _clip(f(out[-1], x)))
    return out


@dataclasses.dataclass(frozen=True)
class Function:
    """A DSL function: the kinds of its arguments in token order, its result type, its meaning."""

    name: str
    args: tuple[Kind, ...]
    returns: Kind
    apply: Callable[..., Value]


_L, _I = Kind.LIST, Kind.INT
FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("HEAD", (_L,), _I, lambda xs: xs[0] if xs else None),
        Function("LAST", (_L,), _I, lambda xs: xs[-1] if xs else None),
        Function("TAKE", (_I, _L), _L, lambda n, xs: xs[: max(n, 0)]),
        Function("DROP", (_I, _L), _L, lambda n, xs: xs[max(n, 0):]),
        Function("ACCESS", (_I, _L), _I, lambda n, xs: xs[n] if 0 <= n < len(xs) else None),
        Function("MINIMUM", (_L,), _I, lambda xs: min(xs) if xs else None),
        Function("MAXIMUM", (_L,), _I, lambda xs: max(xs) if xs else None),
        Function("REVERSE", (_L,), _L, lambda xs: xs[::-1]),
        Function("SORT", (_L,), _L, sorted),
        Function("SUM", (_L,), _I, lambda xs: _clip(sum(xs))),
        Function("MAP", (Kind.UNARY, _L), _L, lambda f, xs: [_clip(f(x)) for x in xs]),
        Function("FILTER", (Kind.PREDICATE, _L), _L, lambda p, xs: [x for x in xs if p(x)]),
        Function("COUNT", (Kind.PREDICATE, _L), _I, lambda p, xs: sum(1 for x in xs if p(x))),
        Function("ZIPWITH", (Kind.BINARY, _L, _L), _L, lambda f, xs, ys: [_clip(f(x, y)) for x, y in zip(xs, ys)]),
        Function("SCANL1", (Kind.BINARY, _L), _L, _scanl1),
    )
}
_LAMBDAS: dict[str, Callable[..., int | bool]] = {**UNARY, **PREDICATES, **BINARY}

# ------------------------------------------------------------------------------------
# vocabulary
# ------------------------------------------------------------------------------------

END = "<end>"
#: Variable names: ``a`` is the input, the others are defined by statements 1, 2, ...
VARIABLES: tuple[str, ...] = tuple("abcdefghijklmnopqrstuvwxyz"[: MAX_STATEMENTS + 1])
VOCAB: tuple[str, ...] = (END, *FUNCTIONS, *UNARY, *PREDICATES, *BINARY, *VARIABLES)
TOKEN_ID: dict[str, int] = {token: i for i, token in enumerate(VOCAB)}
END_ID = 0

_FUNCTION_NAMES = tuple(FUNCTIONS)
_FIRST_FUNCTION = TOKEN_ID[_FUNCTION_NAMES[0]]
_FIRST_VARIABLE = TOKEN_ID[VARIABLES[0]]
_FUNCTION_IDS = np.arange(_FIRST_FUNCTION, _FIRST_FUNCTION + len(FUNCTIONS))
_VARIABLE_IDS = np.arange(_FIRST_VARIABLE, _FIRST_VARIABLE + len(VARIABLES))
#: Functions whose first argument is an int variable: only allowed once one exists.
_NEEDS_INT = np.array([f.args[0] == Kind.INT for f in FUNCTIONS.values()])

#: Kind of slot each token fills (variables: LIST, refined by the variable's type).
TOKEN_KIND = np.array(
    [Kind.STATEMENT]
    + [Kind.STATEMENT] * len(FUNCTIONS)
    + [Kind.UNARY] * len(UNARY)
    + [Kind.PREDICATE] * len(PREDICATES)
    + [Kind.BINARY] * len(BINARY)
    + [Kind.LIST] * len(VARIABLES),
    dtype=np.int8,
)

# _ARG_KIND[f, k]: kind of argument k of function f; STATEMENT once the arguments are done.
_MAX_ARITY = max(len(f.args) for f in FUNCTIONS.values())
_ARG_KIND = np.full((len(FUNCTIONS), _MAX_ARITY + 1), Kind.STATEMENT, dtype=np.int8)
for _i, _f in enumerate(FUNCTIONS.values()):
    _ARG_KIND[_i, : len(_f.args)] = _f.args
_RETURNS = np.array([f.returns for f in FUNCTIONS.values()], dtype=np.int8)

# _BASE_MASK[kind]: tokens allowed in a slot of that kind, before the context-dependent parts.
_BASE_MASK = np.zeros((len(Kind), len(VOCAB)), dtype=bool)
_BASE_MASK[Kind.STATEMENT, END_ID] = True
_BASE_MASK[Kind.STATEMENT, _FUNCTION_IDS] = True
for _kind in (Kind.UNARY, Kind.PREDICATE, Kind.BINARY):
    _BASE_MASK[_kind] = TOKEN_KIND == _kind
_BASE_MASK[Kind.LIST, _VARIABLE_IDS] = True
_BASE_MASK[Kind.INT, _VARIABLE_IDS] = True
_BASE_MASK[Kind.DONE, END_ID] = True


def max_program_length(max_statements: int = MAX_STATEMENTS) -> int:
    """Most tokens a program of ``max_statements`` statements needs, ``<end>`` included."""
    return (_MAX_ARITY + 1) * max_statements + 1


def _check_max_statements(max_statements: int) -> None:
    if not 1 <= max_statements <= MAX_STATEMENTS:
        raise ValueError(f"max_statements must be between 1 and {MAX_STATEMENTS}, got {max_statements}")


# ------------------------------------------------------------------------------------
# the automaton, one sequence at a time (pure Python: parsing and checking)
# ------------------------------------------------------------------------------------

_TOKEN_KIND = TOKEN_KIND.tolist()
_ARG_KINDS = [list(map(int, f.args)) for f in FUNCTIONS.values()]
_RETURN_KINDS = [int(f.returns) for f in FUNCTIONS.values()]
_NEEDS_INT_LIST = _NEEDS_INT.tolist()


def _illegal_reason(
    slot: Kind, function: int, arg_pos: int, var_types: Sequence[int], num_vars: int, position: int,
    max_statements: int, token_id: int,
) -> str | None:
    """Why ``token_id`` cannot come next in this state, or ``None`` if it can."""
    if not 0 <= token_id < len(VOCAB):
        return f"token id {token_id} is outside the vocabulary (0 .. {len(VOCAB) - 1})"
    token = VOCAB[token_id]
    kind = _TOKEN_KIND[token_id]
    where = f"token {token!r} at position {position}"
    if slot == Kind.DONE:
        return None if token_id == END_ID else f"{where}: tokens after {END!r}"
    if slot == Kind.STATEMENT:
        statements = num_vars - 1
        if token_id == END_ID:
            return None if statements > 0 else f"{where}: a program needs at least one statement"
        if kind != Kind.STATEMENT:
            return f"{where}: expected {_KIND_WORDS[slot]} to start statement {statements + 1}"
        if statements >= max_statements:
            return f"{where}: the program already has the maximum of {max_statements} statements"
        if _NEEDS_INT_LIST[token_id - _FIRST_FUNCTION] and Kind.INT not in var_types:
            return f"{where}: {token} takes an int variable and none is defined yet"
        return None
    expected = f"expected {_KIND_WORDS[slot]} as argument {arg_pos + 1} of {_FUNCTION_NAMES[function]}"
    if slot in (Kind.UNARY, Kind.PREDICATE, Kind.BINARY):
        return None if kind == slot else f"{where}: {expected}"
    if kind != Kind.LIST:  # not a variable
        return f"{where}: {expected}"
    var = token_id - _FIRST_VARIABLE
    if var >= num_vars:
        return f"{where}: {expected}, but variable {token} is not defined yet"
    if var_types[var] != slot:
        return f"{where}: {expected}, but {token} holds {'an int' if slot == Kind.LIST else 'a list'}"
    return None


class _Cursor:
    """The grammar automaton for a single sequence, in plain Python (fast for parsing)."""

    def __init__(self, max_statements: int = MAX_STATEMENTS) -> None:
        _check_max_statements(max_statements)
        self.max_statements = max_statements
        self.var_types = [int(Kind.LIST)] + [-1] * (len(VARIABLES) - 1)
        self.num_vars = 1
        self.function = -1
        self.arg_pos = 0
        self.slot = Kind.STATEMENT
        self.length = 0

    def push(self, token_id: int) -> None:
        reason = _illegal_reason(self.slot, self.function, self.arg_pos, self.var_types, self.num_vars,
                                 self.length, self.max_statements, token_id)
        if reason is not None:
            raise DSLSyntaxError(reason)
        self.length += 1
        if self.slot == Kind.DONE:
            return
        if self.slot == Kind.STATEMENT:
            if token_id == END_ID:
                self.slot = Kind.DONE
            else:
                self.function = token_id - _FIRST_FUNCTION
                self.arg_pos = 0
                self.slot = Kind(_ARG_KINDS[self.function][0])
            return
        self.arg_pos += 1
        args = _ARG_KINDS[self.function]
        if self.arg_pos < len(args):
            self.slot = Kind(args[self.arg_pos])
        else:
            self.var_types[self.num_vars] = _RETURN_KINDS[self.function]
            self.num_vars += 1
            self.function = -1
            self.slot = Kind.STATEMENT

    def mask(self) -> np.ndarray:
        return np.array([
            _illegal_reason(self.slot, self.function, self.arg_pos, self.var_types, self.num_vars, self.length,
                            self.max_statements, token_id) is None
            for token_id in range(len(VOCAB))
        ])


# ------------------------------------------------------------------------------------
# the incremental mask (batched): the automaton compiled into tables
# ------------------------------------------------------------------------------------


class _States:
    """Automaton states as parallel arrays, one row per state; the arithmetic of one step.

    Used only to compile the tables of :class:`Automaton`: a state is what decides the
    legal next tokens (the slot to fill, the function and argument being filled, the
    variables defined so far and their types); the prefix length is not part of it.
    """

    def __init__(self, slot, function, arg_pos, num_vars, var_types) -> None:
        self.slot, self.function, self.arg_pos, self.num_vars, self.var_types = slot, function, arg_pos, num_vars, var_types

    @classmethod
    def initial(cls) -> _States:
        var_types = np.full((1, len(VARIABLES)), -1, dtype=np.int8)
        var_types[0, 0] = Kind.LIST
        return cls(np.array([Kind.STATEMENT], dtype=np.int8), np.array([-1]), np.array([0]), np.array([1]), var_types)

    def take(self, index: np.ndarray) -> _States:
        return _States(self.slot[index], self.function[index], self.arg_pos[index], self.num_vars[index], self.var_types[index])

    def keys(self) -> list[tuple[int, ...]]:
        return [tuple(row) for row in np.column_stack([self.slot, self.function, self.arg_pos, self.num_vars, self.var_types]).tolist()]

    def masks(self, max_statements: int) -> np.ndarray:
        mask = _BASE_MASK[self.slot]
        rows = np.flatnonzero(self.slot == Kind.STATEMENT)
        room = self.num_vars[rows] - 1 < max_statements
        has_int = (self.var_types[rows] == Kind.INT).any(axis=1)
        mask[rows[:, None], _FUNCTION_IDS[None, :]] = room[:, None] & (has_int[:, None] | ~_NEEDS_INT[None, :])
        mask[rows, END_ID] = self.num_vars[rows] > 1
        rows = np.flatnonzero((self.slot == Kind.LIST) | (self.slot == Kind.INT))
        mask[rows[:, None], _VARIABLE_IDS[None, :]] = self.var_types[rows] == self.slot[rows, None]
        return mask

    def push(self, ids: np.ndarray) -> _States:
        """The states after appending ``ids[i]`` (a legal token) to state ``i``."""
        out = self.take(np.arange(len(ids)))  # copies
        slot = self.slot
        out.slot[(slot == Kind.STATEMENT) & (ids == END_ID)] = Kind.DONE
        r = np.flatnonzero((slot == Kind.STATEMENT) & (ids != END_ID))  # a function starts a statement
        out.function[r] = ids[r] - _FIRST_FUNCTION
        out.arg_pos[r] = 0
        out.slot[r] = _ARG_KIND[out.function[r], 0]
        r = np.flatnonzero((slot != Kind.STATEMENT) & (slot != Kind.DONE))  # an argument
        out.arg_pos[r] += 1
        following = _ARG_KIND[out.function[r], out.arg_pos[r]]
        out.slot[r] = following
        complete = r[following == Kind.STATEMENT]
        out.var_types[complete, out.num_vars[complete]] = _RETURNS[out.function[complete]]
        out.num_vars[complete] += 1
        out.function[complete] = -1
        out.arg_pos[complete] = 0
        return out


class Automaton:
    """The grammar of programs with at most ``max_statements`` statements, as lookup tables.

    ``next_state[s, t]`` is the state after token ``t`` in state ``s`` (``-1``: ``t`` is not
    allowed), ``legal[s]`` the mask of state ``s``; state 0 is the empty program. The
    reachable states are enumerated breadth first, a whole level of them per array step:
    73 states for 2 statements, 7,093 for 8 (built once per process: 1 ms and 35 ms).
    Stepping a batch of prefixes is then a table lookup per row.
    """

    def __init__(self, max_statements: int) -> None:
        _check_max_statements(max_statements)
        self.max_statements = max_statements
        level = _States.initial()
        ids: dict[tuple[int, ...], int] = {level.keys()[0]: 0}
        levels, transitions = [level], []
        while len(level.slot):
            legal = level.masks(max_statements)
            parents, tokens = np.nonzero(legal)
            children = level.take(parents).push(tokens)
            first = len(ids)
            child_ids = np.array([ids.setdefault(key, len(ids)) for key in children.keys()], dtype=np.int32)
            transitions.append((np.asarray([ids[k] for k in level.keys()], dtype=np.int32)[parents], tokens, child_ids))
            new = np.flatnonzero(child_ids >= first)
            new = new[np.unique(child_ids[new], return_index=True)[1]]  # one row per new state, in id order
            level = children.take(new)
            levels.append(level)
        everything = _States(*(np.concatenate([getattr(lv, f) for lv in levels]) for f in ("slot", "function", "arg_pos", "num_vars", "var_types")))
        assert len(everything.slot) == len(ids)
        self.next_state = np.full((len(ids), len(VOCAB)), -1, dtype=np.int32)
        for source, tokens, target in transitions:
            self.next_state[source, tokens] = target
        self.legal = self.next_state >= 0
        self.slot, self.function, self.arg_pos = everything.slot, everything.function, everything.arg_pos
        self.num_vars, self.var_types = everything.num_vars, everything.var_types

    @property
    def num_states(self) -> int:
        return len(self.slot)


@functools.cache
def automaton(max_statements: int = MAX_STATEMENTS) -> Automaton:
    """The compiled :class:`Automaton` for ``max_statements`` (built once, then shared)."""
    return Automaton(max_statements)


class MaskState(AutomatonRows):
    """Grammar automaton for ``n`` token sequences at once, updated in O(1) per token.

    ``masks()`` gives the ``(n, len(VOCAB))`` boolean mask of tokens that keep each prefix
    valid; ``push(ids)`` appends one token per sequence (``active`` selects which rows
    move). A finished row (after ``<end>``) accepts only ``<end>`` again, so padding a
    finished sequence with end tokens is valid. Each row holds a state of the compiled
    :class:`Automaton`, so a step is a table lookup whatever the prefix; the engine drives
    it through :meth:`advance` (the task's ``grammar_state``). ``slot``, ``var_types``,
    ``num_vars``, ``function`` and ``arg_pos`` read the rows' states for inspection.
    """

    def __init__(self, n: int = 1, max_statements: int = MAX_STATEMENTS) -> None:
        self.automaton = automaton(max_statements)
        super().__init__(self.automaton.next_state, self.automaton.legal, n)
        self.max_statements = max_statements
        self.length = np.zeros(n, dtype=np.int64)

    def reset(self, rows: np.ndarray | None = None) -> None:
        super().reset(rows)
        self.length[slice(None) if rows is None else rows] = 0

    slot = property(lambda self: self.automaton.slot[self.state], doc="What each row must take next (a :class:`Kind`).")
    function = property(lambda self: self.automaton.function[self.state], doc="Function being filled per row (-1: none).")
    arg_pos = property(lambda self: self.automaton.arg_pos[self.state], doc="Argument being filled per row.")
    num_vars = property(lambda self: self.automaton.num_vars[self.state], doc="Variables defined per row (the input included).")
    var_types = property(lambda self: self.automaton.var_types[self.state], doc="Kind of each variable per row (-1: undefined).")

    @property
    def num_statements(self) -> np.ndarray:
        """Completed statements per row."""
        return self.num_vars - 1

    @property
    def done(self) -> np.ndarray:
        return self.slot == Kind.DONE

    def push(self, ids: np.ndarray | Sequence[int], active: np.ndarray | None = None) -> None:
        """Append ``ids[i]`` to row ``i`` for every active row; raise if a token is not allowed."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if ids.shape != (self.n,):
            raise ValueError(f"push expects {self.n} token ids (one per row), got shape {ids.shape}")
        rows = np.arange(self.n) if active is None else np.flatnonzero(active)
        ids = ids[rows]
        out_of_range = (ids < 0) | (ids >= len(VOCAB))
        if out_of_range.any():
            bad = int(ids[np.argmax(out_of_range)])
            raise DSLSyntaxError(f"token id {bad} is outside the vocabulary (0 .. {len(VOCAB) - 1})")
        following = self.automaton.next_state[self.state[rows], ids]
        if (following < 0).any():
            k = int(np.argmin(following))
            raise DSLSyntaxError(self._describe_illegal(int(rows[k]), int(ids[k])))
        self.state[rows] = following
        self.length[rows] += 1

    def advance(self, rows: np.ndarray, ids: np.ndarray) -> None:
        super().advance(rows, ids)
        self.length[rows] += 1

    def _describe_illegal(self, row: int, token_id: int) -> str:
        a, s = self.automaton, int(self.state[row])
        return _illegal_reason(
            Kind(int(a.slot[s])), int(a.function[s]), int(a.arg_pos[s]), a.var_types[s].tolist(), int(a.num_vars[s]),
            int(self.length[row]), self.max_statements, token_id,
        )


def valid_next_tokens(prefix_ids: Sequence[int] | np.ndarray, max_statements: int = MAX_STATEMENTS) -> np.ndarray:
    """Bool mask ``(len(VOCAB),)`` of tokens that may follow ``prefix_ids``.

    Raises :class:`DSLSyntaxError` if the prefix itself is not valid.
    """
    cursor = _Cursor(max_statements)
    for token_id in np.asarray(prefix_ids, dtype=np.int64).reshape(-1).tolist():
        cursor.push(token_id)
    return cursor.mask()


def prefix_masks(tokens: np.ndarray, lengths: np.ndarray, max_statements: int = MAX_STATEMENTS) -> np.ndarray:
    """Masks ``(n, len(VOCAB))`` for ``n`` padded prefixes ``tokens`` of ``lengths`` tokens.

    Replays the prefixes column by column (array operations over rows), for callers that
    keep token buffers rather than a :class:`MaskState`.
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    state = MaskState(tokens.shape[0], max_statements)
    for t in range(int(lengths.max(initial=0))):
        state.push(np.where(t < lengths, tokens[:, t], END_ID), active=t < lengths)
    return state.masks()


# ------------------------------------------------------------------------------------
# programs
# ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Statement:
    """``function`` applied to ``args`` (lambda tokens and variable names, in token order)."""

    function: str
    args: tuple[str, ...]

    def tokens(self) -> list[str]:
        return [self.function, *self.args]


@dataclasses.dataclass(frozen=True)
class Program:
    """A checked CodeDSL program (build it with :func:`parse`); the output is the last variable."""

    statements: tuple[Statement, ...]

    def __post_init__(self) -> None:
        _check_statements(self.statements)  # raises DSLSyntaxError if ill-formed

    def tokens(self, end: bool = False) -> list[str]:
        """The token form, optionally followed by ``<end>``."""
        out = [token for statement in self.statements for token in statement.tokens()]
        return out + [END] if end else out

    def ids(self, end: bool = True) -> np.ndarray:
        """Token ids (int64), by default followed by the end id 0."""
        return tokens_to_ids(self.tokens(end=end))

    @property
    def output_type(self) -> Kind:
        """``Kind.LIST`` or ``Kind.INT``."""
        return FUNCTIONS[self.statements[-1].function].returns

    def trace(self, inputs: Sequence[int]) -> list[Value]:
        """Values of every variable ``a, b, c, ...`` on ``inputs``."""
        values: list[Value] = [_check_inputs(inputs)]
        for apply, args in self._plan:
            # An argument is (True, index of a variable) or (False, a lambda); lambdas are never None.
            resolved = [values[a] if is_variable else a for is_variable, a in args]
            values.append(None if None in resolved else apply(*resolved))
        return values

    @functools.cached_property
    def _plan(self) -> tuple[tuple[Callable[..., Value], tuple[tuple[bool, Any], ...]], ...]:
        return _compile(self.statements)

    def __getstate__(self) -> dict[str, Any]:
        # The cached plan holds lambdas, which do not pickle; it is rebuilt on first use.
        return {key: value for key, value in self.__dict__.items() if key != "_plan"}

    def run(self, inputs: Sequence[int]) -> Value:
        """The output on ``inputs`` (a list of ints in [INT_MIN, INT_MAX]); ``None`` on a runtime error."""
        return self.trace(inputs)[-1]

    def __len__(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return to_text(self)


@functools.lru_cache(maxsize=1 << 14)
def _check_statements(statements: tuple[Statement, ...]) -> None:
    """Raise :class:`DSLSyntaxError` if ``statements`` do not form a program (memoised: random
    task generation and scoring build the same few thousand programs over and over)."""
    _scan(tokens_to_ids([token for statement in statements for token in statement.tokens()]), MAX_STATEMENTS)


@functools.lru_cache(maxsize=1 << 14)
def _compile(statements: tuple[Statement, ...]) -> tuple[tuple[Callable[..., Value], tuple[tuple[bool, Any], ...]], ...]:
    """Each statement as ``(function.apply, args)``, with every argument token resolved once
    to ``(True, variable index)`` or ``(False, lambda)``, so a run does no lookups by name."""
    plan = []
    for statement in statements:
        function = FUNCTIONS[statement.function]
        args = tuple(
            (False, _LAMBDAS[token]) if kind in (Kind.UNARY, Kind.PREDICATE, Kind.BINARY) else (True, VARIABLES.index(token))
            for token, kind in zip(statement.args, function.args, strict=True)
        )
        plan.append((function.apply, args))
    return tuple(plan)


def _check_inputs(inputs: Sequence[int]) -> list[int]:
    values = list(inputs)
    if set(map(type, values)) <= {int} and (not values or (INT_MIN <= min(values) and max(values) <= INT_MAX)):
        return values  # the common case, checked with C-level loops
    for x in values:
        if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
            raise TypeError(f"program inputs must be a list of ints, got an item {x!r}")
        if not INT_MIN <= x <= INT_MAX:
            raise ValueError(f"program input {x} is outside the DSL's integer range [{INT_MIN}, {INT_MAX}]")
    return [int(x) for x in values]


def tokens_to_ids(tokens: Sequence[str]) -> np.ndarray:
    """Token strings to ids; unknown tokens raise :class:`DSLSyntaxError` (no grammar check)."""
    try:
        return np.array([TOKEN_ID[t] for t in tokens], dtype=np.int64)
    except KeyError as err:
        raise DSLSyntaxError(f"unknown token {err.args[0]!r}; the vocabulary is {VOCAB}") from None


def ids_to_tokens(ids: Sequence[int] | np.ndarray) -> list[str]:
    """Token ids to strings; ids outside the vocabulary raise :class:`DSLSyntaxError`."""
    out = []
    for i in np.asarray(ids, dtype=np.int64).reshape(-1):
        if not 0 <= i < len(VOCAB):
            raise DSLSyntaxError(f"token id {int(i)} is outside the vocabulary (0 .. {len(VOCAB) - 1})")
        out.append(VOCAB[i])
    return out


def _scan(ids: np.ndarray, max_statements: int) -> tuple[Statement, ...]:
    """Check ``ids`` (no ``<end>``) token by token and group them into statements."""
    cursor = _Cursor(max_statements)
    statements: list[Statement] = []
    current: list[str] = []
    for token_id in ids.tolist():
        cursor.push(token_id)
        current.append(VOCAB[token_id])
        if cursor.slot == Kind.STATEMENT:
            statements.append(Statement(current[0], tuple(current[1:])))
            current = []
    if current:
        function = FUNCTIONS[current[0]]
        missing = _KIND_WORDS[function.args[len(current) - 1]]
        raise DSLSyntaxError(
            f"statement {len(statements) + 1} ({' '.join(current)}) is incomplete: "
            f"{function.name} takes {len(function.args)} argument(s), next expected {missing}"
        )
    if not statements:
        raise DSLSyntaxError("empty program: a program needs at least one statement")
    return tuple(statements)


def parse(program: str | Sequence[str] | Sequence[int] | np.ndarray, max_statements: int = MAX_STATEMENTS) -> Program:
    """Build a :class:`Program` from tokens, token ids, or text.

    Accepted forms: a sequence of token strings or of token ids (trailing ``<end>`` tokens
    allowed at the end, nothing else after it), a whitespace-separated token string
    (``"FILTER (>0) a MAP (*2) b"``), or the line form written by :func:`to_text`
    (``"b = FILTER (>0) a"`` per line; ``a: [int]`` and ``#`` comments ignored).
    Raises :class:`DSLSyntaxError` naming the first problem.
    """
    _check_max_statements(max_statements)
    if isinstance(program, str):
        tokens = _text_tokens(program)
    elif isinstance(program, np.ndarray) or (len(program) and not isinstance(program[0], str)):
        tokens = ids_to_tokens(program)
    else:
        tokens = list(program)
    if END in tokens:
        cut = tokens.index(END)
        if any(t != END for t in tokens[cut + 1:]):
            raise DSLSyntaxError(f"tokens after {END!r} (position {cut}): {tokens[cut + 1:]}")
        tokens = tokens[:cut]
    statements = _scan(tokens_to_ids(tokens), max_statements)
    return Program(statements)


_HEADER = re.compile(r"^a\s*:\s*\[int\]$")
_ASSIGNMENT = re.compile(r"^([a-z])\s*=\s*(.*)$")


def _text_tokens(text: str) -> list[str]:
    """Tokens of the plain token string or of the line form written by :func:`to_text`."""
    lines = [raw.split("#", 1)[0].strip() for raw in text.splitlines()]
    if not any(_HEADER.match(line) or _ASSIGNMENT.match(line) for line in lines):
        return text.split()
    tokens: list[str] = []
    statement = 0
    for number, line in enumerate(lines, start=1):
        if not line or _HEADER.match(line):
            continue
        match = _ASSIGNMENT.match(line)
        if match is None:
            raise DSLSyntaxError(f"line {number} ({line!r}) is not of the form '<variable> = FUNCTION args'")
        statement += 1
        expected = VARIABLES[statement] if statement < len(VARIABLES) else None
        if match.group(1) != expected:
            raise DSLSyntaxError(
                f"line {number} assigns {match.group(1)!r}, but statement {statement} defines {expected!r}"
            )
        tokens += match.group(2).split()
    return tokens


def to_text(program: Program) -> str:
    """The line form: ``a: [int]`` then ``b = FUNCTION args`` per statement."""
    lines = ["a: [int]"]
    for k, statement in enumerate(program.statements, start=1):
        lines.append(f"{VARIABLES[k]} = {' '.join(statement.tokens())}")
    return "\n".join(lines)
