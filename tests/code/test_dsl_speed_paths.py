"""CodeDSL's fast paths (compiled programs, memoised checks) keep results and task streams.

Task generation runs at every reset of CodeDSL-v0, so it is tuned; the tasks a seed
gives are part of the environment's definition, and these tests pin them.
"""

import pickle

import numpy as np

from genenvs.code.dsl import _LAMBDAS, FUNCTIONS, VARIABLES, Kind
from genenvs.code.dsl_tasks import generate_task, sample_program


def _interpret(program, inputs):
    """The semantics by name, statement by statement, with no precompiled plan."""
    values = [list(inputs)]
    for statement in program.statements:
        function = FUNCTIONS[statement.function]
        args = [_LAMBDAS[t] if k in (Kind.UNARY, Kind.PREDICATE, Kind.BINARY) else values[VARIABLES.index(t)] for t, k in zip(statement.args, function.args)]
        values.append(None if any(a is None for a in args) else function.apply(*args))
    return values


def test_compiled_programs_trace_like_the_interpreter():
    rng = np.random.default_rng(0)
    checked = 0
    while checked < 300:
        program = sample_program(rng, int(rng.integers(1, 6)))
        if program is None:
            continue
        for _ in range(5):
            inputs = rng.integers(-30, 31, size=int(rng.integers(0, 9))).tolist()
            assert program.trace(inputs) == _interpret(program, inputs)
        checked += 1


def test_a_program_that_ran_still_pickles():
    program = generate_task(np.random.default_rng(1)).program
    out = program.run([3, -1, 4])
    copy = pickle.loads(pickle.dumps(program))
    assert copy == program and copy.run([3, -1, 4]) == out


def test_the_task_stream_of_a_seed_is_unchanged():
    rng = np.random.default_rng(0)
    tasks = [generate_task(rng, 2, 5, max_input_length=10) for _ in range(3)]
    assert [t.program_tokens for t in tasks] == [("MAP", "(*2)", "a", "MAP", "(/3)", "b"), ("REVERSE", "a", "FILTER", "(%2==0)", "b"), ("SUM", "a")]
    assert tasks[0].examples[0] == ([-2, 20, 13, 20], [-2, 13, 8, 13])
    assert tasks[2].examples[-1] == ([19, -12, 0, -18, -3], -14)
    assert int(rng.integers(1 << 30)) == 1015022508  # and the generator consumed exactly as many draws
