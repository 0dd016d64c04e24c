"""The two kinds of test the sandbox runs, and what "passed" means for each.

* :class:`CallTest` is the strong form. The child evaluates ``call`` (``"add(1, 2)"``) and
  sends back the returned value; the parent (trusted) decodes it into plain builtin types
  and compares it with ``expected``, which never enters the sandbox. Whatever a program
  does to its own interpreter (exit early, print fake results, patch builtins, return an
  object whose ``__eq__`` always says True) it can only produce a missing or wrong value.
* :class:`AssertTest` runs assertion code in the child (HumanEval's ``check(candidate)``,
  Chen et al. 2021, "Evaluating Large Language Models Trained on Code"). The verdict is
  computed next to the untrusted program, so a determined program can forge it; use it
  for data that only exists in this form, and :func:`call_tests_from_asserts` to convert
  what can be converted.
"""

from __future__ import annotations

import ast
import dataclasses
import math
from typing import Any

#: Containers nested deeper than this are not plain data (mirrors the child's encoder).
MAX_DEPTH = 100

_SCALARS = (type(None), bool, int, float, complex, str, bytes)
_CONTAINERS = (list, tuple, set, frozenset, dict)


def check_plain_data(value: Any, what: str = "value", _depth: int = 0) -> None:
    """Raise :class:`TypeError` unless ``value`` is built from exact builtin types only.

    Plain data is what can cross the sandbox boundary: None, bool, int, float, complex,
    str, bytes, and list/tuple/set/frozenset/dict of plain data.
    """
    kind = type(value)
    if kind in _SCALARS:
        return
    if kind not in _CONTAINERS:
        raise TypeError(
            f"{what} must be plain data (None, bool, int, float, complex, str, bytes, list, tuple, "
            f"set, frozenset, dict); got a {kind.__name__}"
        )
    if _depth >= MAX_DEPTH:
        raise TypeError(f"{what} is nested more than {MAX_DEPTH} levels deep")
    items = [x for pair in value.items() for x in pair] if kind is dict else value
    for item in items:
        check_plain_data(item, what, _depth + 1)


def values_match(actual: Any, expected: Any, rel_tol: float = 1e-9, abs_tol: float = 1e-12) -> bool:
    """Python's ``actual == expected``, except that floats are compared with :func:`math.isclose`.

    As with ``==``, a list never equals a tuple and ``1 == 1.0 == True``; two NaNs match.
    The tolerance applies inside lists, tuples and dict values (not to set members or
    dict keys, which are matched by hash).
    """
    if isinstance(expected, (list, tuple)):
        return (
            type(actual) is type(expected)
            and len(actual) == len(expected)
            and all(values_match(a, e, rel_tol, abs_tol) for a, e in zip(actual, expected))
        )
    if isinstance(expected, dict):
        return (
            type(actual) is dict
            and actual.keys() == expected.keys()
            and all(values_match(actual[k], expected[k], rel_tol, abs_tol) for k in expected)
        )
    numbers = (int, float)
    if (type(actual) is float or type(expected) is float) and type(actual) in numbers and type(expected) in numbers:
        try:
            if math.isnan(actual) or math.isnan(expected):
                return math.isnan(actual) and math.isnan(expected)
            return math.isclose(actual, expected, rel_tol=rel_tol, abs_tol=abs_tol)
        except OverflowError:  # an int too large for a float
            return False
    return bool(actual == expected)


@dataclasses.dataclass(frozen=True)
class CallTest:
    """Evaluate ``call`` in the program's namespace; the value must match ``expected``.

    Attributes:
        call: one Python expression, usually a call of the function under test,
            e.g. ``"add(1, 2)"``. It runs in the sandbox.
        expected: the value it must return, as plain data (see :func:`check_plain_data`).
            It stays in the parent process.
        rel_tol, abs_tol: float tolerance, see :func:`values_match`.
    """

    call: str
    expected: Any
    rel_tol: float = 1e-9
    abs_tol: float = 1e-12

    def __post_init__(self) -> None:
        if not isinstance(self.call, str):
            raise TypeError(f"CallTest.call must be a str expression like 'add(1, 2)', got {type(self.call).__name__}")
        try:
            compile(self.call, "<call>", "eval")
        except SyntaxError as exc:
            raise ValueError(
                f"CallTest.call must be a single Python expression; {self.call!r} does not parse: {exc.msg}"
            ) from None
        check_plain_data(self.expected, "CallTest.expected")
        if not (self.rel_tol >= 0 and self.abs_tol >= 0):
            raise ValueError(f"CallTest tolerances must be >= 0, got rel_tol={self.rel_tol}, abs_tol={self.abs_tol}")

    def matches(self, actual: Any) -> bool:
        """Whether a decoded return value passes this test."""
        return values_match(actual, self.expected, self.rel_tol, self.abs_tol)


@dataclasses.dataclass(frozen=True)
class AssertTest:
    """Run assertion ``code`` against the program; it passes when nothing is raised.

    ``code`` runs in a copy of the program's namespace, so it can call the program's
    functions by name (MBPP style: ``assert add(1, 2) == 3``). With ``entry_point`` set,
    ``code`` must define ``check(candidate)``, which is then called with the program's
    ``entry_point`` function (HumanEval style). An :class:`AssertionError` makes the test
    fail; any other exception is a runtime error of the program.

    ``require_plain_results`` (default) wraps the program's functions seen by the test so
    that returning anything but plain data raises: this stops the classic "object whose
    ``__eq__`` always returns True" forgery. Turn it off for tasks whose functions return
    custom objects. The verdict is still computed inside the sandbox: see the module
    docstring for why :class:`CallTest` is the stronger form.
    """

    code: str
    entry_point: str | None = None
    require_plain_results: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.code, str):
            raise TypeError(f"AssertTest.code must be a str of Python source, got {type(self.code).__name__}")
        try:
            tree = ast.parse(self.code)
        except SyntaxError as exc:
            raise ValueError(f"AssertTest.code does not parse: {exc.msg} (line {exc.lineno})") from None
        if self.entry_point is not None:
            if not (isinstance(self.entry_point, str) and self.entry_point.isidentifier()):
                raise ValueError(f"AssertTest.entry_point must be a function name, got {self.entry_point!r}")
            if not any(isinstance(node, ast.FunctionDef) and node.name == "check" for node in tree.body):
                raise ValueError("AssertTest with an entry_point needs code that defines check(candidate)")


Test = CallTest | AssertTest


def as_test(test: Any) -> Test:
    """``test`` as a :class:`CallTest` or :class:`AssertTest`.

    Other objects with the same fields (``call``/``expected`` or ``code``/``entry_point``)
    are converted, so test records from elsewhere in the project can be passed directly.
    """
    if isinstance(test, (CallTest, AssertTest)):
        return test
    if hasattr(test, "call") and hasattr(test, "expected"):
        return CallTest(call=test.call, expected=test.expected)
    if hasattr(test, "code") and hasattr(test, "entry_point"):
        return AssertTest(code=test.code, entry_point=test.entry_point)
    raise TypeError(f"a test must be a CallTest or an AssertTest, got {type(test).__name__}")


def call_tests_from_asserts(code: str, entry_point: str, candidate: str = "candidate") -> list[CallTest]:
    """Turn HumanEval/MBPP-style assertions into :class:`CallTest` items where possible.

    Converts ``assert f(<literals>) == <literal>`` (either side), and
    ``assert abs(f(<literals>) - <literal>) < tol`` (or ``<=``) into a test with
    ``abs_tol=tol``, where ``f`` is ``candidate`` or ``entry_point``. Statements are read
    from the body of ``def check(...)`` if ``code`` defines one, else from the module;
    docstrings and ``assert True`` are skipped.

    Raises:
        ValueError: listing every statement that does not convert (loops, helper
            variables, non-literal arguments...). Fall back to ``AssertTest(code,
            entry_point)`` for such code.
    """
    tree = ast.parse(code)
    checks = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "check"]
    body = checks[0].body if checks else tree.body
    names = {candidate, entry_point}
    tests: list[CallTest] = []
    unsupported: list[str] = []
    for statement in body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # docstring or a bare constant
        if isinstance(statement, ast.Assert) and isinstance(statement.test, ast.Constant) and statement.test.value:
            continue  # ``assert True, "..."``
        test = _call_test_from_assert(statement, names, entry_point) if isinstance(statement, ast.Assert) else None
        if test is None:
            unsupported.append(f"line {statement.lineno}: {ast.unparse(statement)[:100]}")
        else:
            tests.append(test)
    if unsupported:
        raise ValueError(
            f"{len(unsupported)} statement(s) are not 'assert f(literals) == literal' and cannot become "
            "CallTests; use AssertTest for this code:\n  " + "\n  ".join(unsupported)
        )
    return tests


def _literal(node: ast.expr) -> tuple[bool, Any]:
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _call_source(node: ast.expr, names: set[str], entry_point: str) -> str | None:
    """``entry_point(<args>)`` if ``node`` calls one of ``names`` with literal arguments."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names):
        return None
    values = list(node.args) + [kw.value for kw in node.keywords]
    if any(isinstance(a, ast.Starred) for a in node.args) or any(kw.arg is None for kw in node.keywords):
        return None
    if not all(_literal(v)[0] for v in values):
        return None
    arguments = [ast.unparse(a) for a in node.args] + [f"{kw.arg}={ast.unparse(kw.value)}" for kw in node.keywords]
    return f"{entry_point}({', '.join(arguments)})"


def _call_test_from_assert(statement: ast.Assert, names: set[str], entry_point: str) -> CallTest | None:
    test = statement.test
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if isinstance(op, ast.Eq):
        for call_node, value_node in ((left, right), (right, left)):
            call = _call_source(call_node, names, entry_point)
            ok, expected = _literal(value_node)
            if call is not None and ok:
                try:
                    return CallTest(call=call, expected=expected)
                except TypeError:
                    return None
        return None
    # abs(f(...) - value) < tol
    if isinstance(op, (ast.Lt, ast.LtE)) and isinstance(left, ast.Call) and isinstance(left.func, ast.Name):
        ok_tol, tol = _literal(right)
        inner = left.args[0] if left.func.id == "abs" and len(left.args) == 1 and not left.keywords else None
        is_difference = isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Sub)
        if ok_tol and type(tol) in (int, float) and tol >= 0 and is_difference:
            call = _call_source(inner.left, names, entry_point)
            ok, expected = _literal(inner.right)
            if call is not None and ok and type(expected) in (int, float):
                return CallTest(call=call, expected=expected, rel_tol=0.0, abs_tol=float(tol))
    return None
