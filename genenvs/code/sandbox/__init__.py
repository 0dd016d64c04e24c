"""Run untrusted, generated Python programs against unit tests, isolated.

>>> from genenvs.code.sandbox import CallTest, run
>>> result = run("def add(a, b):\\n    return a + b\\n", [CallTest("add(1, 2)", 3)])
>>> result.status == "passed", result.tests[0].passed, result.tests[0].actual
(True, True, '3')

Each program runs in its own short-lived process under bubblewrap (fresh namespaces, no
network, a read-only view of the interpreter and nothing else, no capabilities, a
seccomp filter), with rlimits and a wall-clock timeout that kills the whole process
tree. Call tests are judged in the parent, from values the child returns, so a program
cannot fake a pass. The threat model, the layers and their limits: ``docs/sandbox.md``.

Modules: ``runner`` (run, run_batch, process supervision), ``launch`` (bubblewrap
command line), ``seccomp`` (the syscall filter), ``harness`` (the code that runs inside
the child), ``verdict`` (validating what comes back), ``testcases`` and ``result``
(the data types).
"""

from genenvs.code.sandbox.launch import SandboxUnavailableError
from genenvs.code.sandbox.result import ExecutionResult, Status, TestOutcome
from genenvs.code.sandbox.runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, run, run_batch
from genenvs.code.sandbox.testcases import (
    AssertTest,
    CallTest,
    Test,
    call_tests_from_asserts,
    check_plain_data,
    values_match,
)

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT",
    "AssertTest",
    "CallTest",
    "ExecutionResult",
    "SandboxUnavailableError",
    "Status",
    "Test",
    "TestOutcome",
    "call_tests_from_asserts",
    "check_plain_data",
    "run",
    "run_batch",
    "values_match",
]
