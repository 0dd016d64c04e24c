"""What one sandboxed execution reports back."""

from __future__ import annotations

import dataclasses
import enum


class Status(enum.StrEnum):
    """Overall verdict of one program on its tests (compares equal to its string value)."""

    PASSED = "passed"  # every test ran and passed
    FAILED = "failed"  # every test ran, at least one gave a wrong answer / failed an assert
    COMPILE_ERROR = "compile_error"  # the program does not compile
    RUNTIME_ERROR = "runtime_error"  # an exception, a crash, an early exit, a garbled report
    TIMEOUT = "timeout"  # wall-clock timeout or CPU-time limit
    MEMORY = "memory"  # MemoryError / address-space limit


@dataclasses.dataclass(frozen=True)
class TestOutcome:
    """One test's result.

    Attributes:
        passed: whether this test passed.
        error_type: exception type name when the test raised (``"ZeroDivisionError"``,
            ``"AssertionError"`` for a failed assert), ``"NotRun"`` when the run ended
            before reaching it, else None.
        message: the exception message, or for a wrong answer ``"expected X, got Y"``.
        actual: ``repr`` of the value a :class:`CallTest` call returned (truncated), if any.
    """

    __test__ = False  # not a pytest test class

    passed: bool
    error_type: str | None = None
    message: str | None = None
    actual: str | None = None


@dataclasses.dataclass(frozen=True)
class ExecutionResult:
    """Everything one run of a program against its tests produced.

    Attributes:
        status: the overall verdict, see :class:`Status`.
        tests: one :class:`TestOutcome` per test, in the order the tests were given.
        error_type: name of the error behind a non-passing status (``"SyntaxError"``,
            ``"ZeroDivisionError"``, ``"Timeout"``, ``"MemoryError"``, ``"SIGSEGV"``...).
        error_message: a human-readable explanation of ``error_type``.
        error_line: the program line the error points at, when known.
        stdout, stderr: the program's output, decoded as UTF-8 and cut to the output limit.
        stdout_truncated, stderr_truncated: whether output was cut.
        wall_time: seconds from launch to the process being reaped.
        exit_code: the process exit status (128 + N when killed by signal N inside
            bubblewrap, -N when killed by signal N without it), None if it never started.
        sandboxed: True under bubblewrap, False when run unsandboxed.
    """

    status: Status
    tests: tuple[TestOutcome, ...]
    error_type: str | None = None
    error_message: str | None = None
    error_line: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    wall_time: float = 0.0
    exit_code: int | None = None
    sandboxed: bool = True

    @property
    def passed(self) -> bool:
        """True only when the status is ``passed`` (every test ran and passed)."""
        return self.status is Status.PASSED

    @property
    def n_passed(self) -> int:
        """Number of tests that passed."""
        return sum(t.passed for t in self.tests)

    @property
    def pass_fraction(self) -> float:
        """Fraction of tests passed (1.0 for a passing run with no tests)."""
        if not self.tests:
            return 1.0 if self.passed else 0.0
        return self.n_passed / len(self.tests)
