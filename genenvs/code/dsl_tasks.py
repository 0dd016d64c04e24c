"""Programming-by-example tasks for CodeDSL, generated procedurally from a seed.

A task is a handful of input/output examples produced by a hidden random program
(DeepCoder's setting, Balog et al. 2017): the agent writes a CodeDSL program, token by
token, and is rewarded by how many examples it reproduces (:func:`pass_rate`).

Generation (:func:`generate_task`):

1. Draw the number of statements uniformly from ``[min_statements, max_statements]`` and
   a well-typed program whose every variable is used later (no dead code): each argument
   slot prefers a variable not used yet, and an unused int forces a function that
   consumes it (TAKE, DROP or ACCESS).
2. Draw ``num_examples`` distinct inputs: lists of length ``[1, max_input_length]`` with
   values uniform in ``value_range`` (default ``[-20, 20]``; DeepCoder's full range
   ``[-256, 255]`` is kept for intermediate and output values, which are clipped). An
   input whose output is ``None`` (e.g. HEAD of an empty FILTER) is redrawn.
3. Reject the task and start again when it is degenerate: all outputs equal (a constant
   program), every output equal to its input (an identity program), or some statement
   that changes nothing on any example (its output equals one of its list arguments on
   every example, e.g. SORT of a sorted list), since such a statement is invisible in the
   examples.

Observation encoding (:func:`encode_examples`): an int64 array of shape
``(num_examples, 2, max_len + 2)``; ``[e, 0]`` encodes input ``e`` and ``[e, 1]`` its
output, each as ``[type, length, v_0, ..., v_{max_len-1}]`` with ``type`` one of
``TYPE_LIST = 0``, ``TYPE_INT = 1``, ``TYPE_NULL = 2``, ``length`` the list length (1 for
an int, 0 for null), and unused value slots set to ``PAD_VALUE = 256`` (one past
``INT_MAX``, so ``value - INT_MIN`` indexes an embedding table of 513 rows).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from gymnasium import spaces

from genenvs.code.dsl import (
    BINARY,
    FUNCTIONS,
    INT_MAX,
    INT_MIN,
    MAX_STATEMENTS,
    PREDICATES,
    UNARY,
    VARIABLES,
    DSLSyntaxError,
    Kind,
    Program,
    Statement,
    Value,
    parse,
)

TYPE_LIST, TYPE_INT, TYPE_NULL = 0, 1, 2
PAD_VALUE = INT_MAX + 1

_FUNCTION_NAMES = tuple(FUNCTIONS)
_INT_CONSUMERS = tuple(name for name, f in FUNCTIONS.items() if f.args[0] == Kind.INT)
_NO_INT_FUNCTIONS = tuple(name for name in _FUNCTION_NAMES if name not in _INT_CONSUMERS)
_LAMBDA_CHOICES = {Kind.UNARY: tuple(UNARY), Kind.PREDICATE: tuple(PREDICATES), Kind.BINARY: tuple(BINARY)}


@dataclasses.dataclass(frozen=True)
class DSLTask:
    """Input/output examples and the program that produced them.

    Attributes:
        examples: ``(input_list, output)`` pairs; outputs are lists or ints, never None.
        program_tokens: a reference solution in token form (no ``<end>``).
    """

    examples: tuple[tuple[list[int], int | list[int]], ...]
    program_tokens: tuple[str, ...]

    @property
    def program(self) -> Program:
        return parse(list(self.program_tokens))

    @property
    def num_examples(self) -> int:
        return len(self.examples)


def generate_task(
    rng: np.random.Generator,
    max_statements: int = 3,
    num_examples: int = 5,
    *,
    min_statements: int = 1,
    max_input_length: int = 10,
    value_range: tuple[int, int] = (-20, 20),
    max_attempts: int = 10_000,
) -> DSLTask:
    """Draw a random non-degenerate task (see the module docstring for the procedure)."""
    if not 1 <= min_statements <= max_statements <= MAX_STATEMENTS:
        raise ValueError(
            f"need 1 <= min_statements <= max_statements <= {MAX_STATEMENTS}, "
            f"got min_statements={min_statements}, max_statements={max_statements}"
        )
    if num_examples < 2:
        raise ValueError(f"num_examples must be at least 2 (to tell a constant program apart), got {num_examples}")
    if max_input_length < 1:
        raise ValueError(f"max_input_length must be at least 1, got {max_input_length}")
    low, high = value_range
    if not INT_MIN <= low < high <= INT_MAX:
        raise ValueError(f"value_range must satisfy {INT_MIN} <= low < high <= {INT_MAX}, got {value_range}")
    for _ in range(max_attempts):
        num_statements = int(rng.integers(min_statements, max_statements + 1))
        program = sample_program(rng, num_statements)
        if program is None:
            continue
        traces = _draw_examples(rng, program, num_examples, max_input_length, low, high)
        if traces is None or _degenerate(program, traces):
            continue
        examples = tuple((trace[0], trace[-1]) for trace in traces)
        return DSLTask(examples=examples, program_tokens=tuple(program.tokens()))
    raise RuntimeError(f"no non-degenerate task found in {max_attempts} attempts; loosen the generator settings")


def sample_program(rng: np.random.Generator, num_statements: int) -> Program | None:
    """A random well-typed program of ``num_statements`` statements, or ``None`` if it has dead code."""
    types = [Kind.LIST]
    used = [False]
    statements = []
    for _ in range(num_statements):
        unused_int = any(t == Kind.INT and not u for t, u in zip(types, used, strict=True))
        has_int = Kind.INT in types
        choices = _INT_CONSUMERS if unused_int else (_FUNCTION_NAMES if has_int else _NO_INT_FUNCTIONS)
        function = FUNCTIONS[choices[rng.integers(len(choices))]]
        args = []
        for kind in function.args:
            if kind in _LAMBDA_CHOICES:
                options = _LAMBDA_CHOICES[kind]
                args.append(options[rng.integers(len(options))])
                continue
            typed = [v for v, t in enumerate(types) if t == kind]
            fresh = [v for v in typed if not used[v]]
            pool = fresh or typed
            var = pool[rng.integers(len(pool))]
            used[var] = True
            args.append(VARIABLES[var])
        statements.append(Statement(function.name, tuple(args)))
        types.append(function.returns)
        used.append(False)
    if not all(used[:-1]):
        return None
    return Program(tuple(statements))


def _draw_examples(
    rng: np.random.Generator, program: Program, num_examples: int, max_length: int, low: int, high: int,
    tries_per_example: int = 20,
) -> list[list[Value]] | None:
    """Traces (all variable values) on ``num_examples`` distinct inputs with a non-None output."""
    traces: list[list[Value]] = []
    seen: set[tuple[int, ...]] = set()
    for _ in range(num_examples * tries_per_example):
        length = int(rng.integers(1, max_length + 1))
        inputs = rng.integers(low, high + 1, size=length).tolist()
        key = tuple(inputs)
        if key in seen:
            continue
        trace = program.trace(inputs)
        if trace[-1] is None:
            continue
        seen.add(key)
        traces.append(trace)
        if len(traces) == num_examples:
            return traces
    return None


def _degenerate(program: Program, traces: list[list[Value]]) -> bool:
    outputs = [trace[-1] for trace in traces]
    if all(out == outputs[0] for out in outputs):
        return True  # constant
    if all(trace[-1] == trace[0] for trace in traces):
        return True  # identity
    for k, statement in enumerate(program.statements, start=1):
        list_args = [VARIABLES.index(a) for a in statement.args if a in VARIABLES]
        for var in list_args:
            if all(trace[k] == trace[var] for trace in traces):
                return True  # statement k is a no-op on every example
    return False


# ------------------------------------------------------------------------------------
# scoring
# ------------------------------------------------------------------------------------


def check(program_tokens: Program | str | Sequence[str] | Sequence[int] | np.ndarray, task: DSLTask) -> list[bool]:
    """Per example: does the program reproduce the output? A sequence that does not parse passes none."""
    if isinstance(program_tokens, Program):
        program = program_tokens
    else:
        try:
            program = parse(program_tokens)
        except DSLSyntaxError:
            return [False] * len(task.examples)
    results = []
    for inputs, expected in task.examples:
        output = program.run(inputs)
        results.append(output is not None and type(output) is type(expected) and output == expected)
    return results


def pass_rate(program_tokens: Program | str | Sequence[str] | Sequence[int] | np.ndarray, task: DSLTask) -> float:
    """Fraction of the task's examples the program reproduces (0.0 for an unparseable program)."""
    outcomes = check(program_tokens, task)
    return sum(outcomes) / len(outcomes)


# ------------------------------------------------------------------------------------
# observations
# ------------------------------------------------------------------------------------


def _value_row(value: Value, max_len: int) -> list[int]:
    if value is None:
        head = [TYPE_NULL, 0]
    elif isinstance(value, list):
        if len(value) > max_len:
            raise ValueError(f"a list of {len(value)} items does not fit max_len={max_len}; raise max_len")
        head = [TYPE_LIST, len(value), *value]
    else:
        head = [TYPE_INT, 1, value]
    return head + [PAD_VALUE] * (max_len + 2 - len(head))


def encode_value(value: Value, max_len: int) -> np.ndarray:
    """``[type, length, v_0 .. v_{max_len-1}]`` (int64, length ``max_len + 2``), padded with PAD_VALUE."""
    return np.array(_value_row(value, max_len), dtype=np.int64)


def encode_examples(task: DSLTask, max_len: int) -> np.ndarray:
    """The examples as an int64 array ``(num_examples, 2, max_len + 2)`` (layout in the module docstring).

    Built as one nested list and converted once: a new problem instance is encoded at
    every reset, and per-value array writes cost more than the rest of the reset.
    """
    return np.array([[_value_row(inp, max_len), _value_row(out, max_len)] for inp, out in task.examples], dtype=np.int64)


def examples_space(num_examples: int, max_len: int) -> spaces.Box:
    """The Gymnasium space that :func:`encode_examples` arrays belong to."""
    return spaces.Box(
        low=INT_MIN, high=max(PAD_VALUE, max_len), shape=(num_examples, 2, max_len + 2), dtype=np.int64
    )
