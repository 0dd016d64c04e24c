"""Turning what a child process left behind into an :class:`ExecutionResult`.

Everything read here comes from an untrusted process, so it is validated as data: the
result stream must carry this run's nonce on every line, follow the harness protocol in
order (see harness.py), and hold values in the tagged encoding only; the exit status and
resource usage come from the kernel (``wait4``), not from the child. Anything else makes
the run a ``runtime_error`` ("ProtocolError") with every test marked as not passed.
"""

from __future__ import annotations

import dataclasses
import json
import reprlib
import signal
from collections.abc import Sequence
from typing import Any

from genenvs.code.sandbox.result import ExecutionResult, Status, TestOutcome
from genenvs.code.sandbox.testcases import MAX_DEPTH, CallTest, Test

_MAX_TEXT = 2000
_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 120
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxfrozenset = _repr.maxdict = 20
_MEMORY_HINTS = (b"MemoryError", b"Cannot allocate memory", b"out of memory")


class ProtocolError(ValueError):
    """The result stream is not what the harness writes: tampering or a garbled run."""


@dataclasses.dataclass
class RawRun:
    """What the parent observed from outside the child."""

    records: bytes
    records_overflow: bool
    stdout: bytes
    stdout_truncated: bool
    stderr: bytes
    stderr_truncated: bool
    exit_code: int | None
    timed_out: bool
    wall_time: float
    cpu_time: float | None  # None under bubblewrap: its pid-1 reaper is never waited for
    sandboxed: bool


@dataclasses.dataclass
class Report:
    """The harness records of one run, validated."""

    compile_error: dict[str, Any] | None = None
    load_error: dict[str, Any] | None = None
    outcomes: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    done: bool = False
    protocol_error: str | None = None


def decode_value(data: Any, depth: int = 0) -> Any:
    """Inverse of the harness's ``encode``: rebuild plain builtin values, or raise ProtocolError."""
    if data is None or type(data) in (bool, int, float, str):
        return data
    if depth >= MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if type(data) is not dict or len(data) != 1:
        raise ProtocolError("malformed value")
    ((tag, body),) = data.items()
    try:
        if tag in ("list", "tuple", "set", "frozenset") and type(body) is list:
            items = [decode_value(item, depth + 1) for item in body]
            return {"list": list, "tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
        if tag == "dict" and type(body) is list:
            pairs = []
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise ProtocolError("malformed dict item")
                pairs.append((decode_value(pair[0], depth + 1), decode_value(pair[1], depth + 1)))
            return dict(pairs)
        if tag == "bytes" and type(body) is str:
            return bytes.fromhex(body)
        if tag == "complex" and type(body) is list and len(body) == 2 and all(type(x) in (int, float) for x in body):
            return complex(body[0], body[1])
    except (TypeError, ValueError) as exc:  # unhashable set member, bad hex...
        raise ProtocolError(f"malformed value: {exc}") from None
    raise ProtocolError(f"unknown value tag {tag!r}")


def _error(data: Any) -> dict[str, Any]:
    if type(data) is not dict or type(data.get("type")) is not str or type(data.get("message")) is not str:
        raise ProtocolError("malformed error record")
    line = data.get("line")
    line = line if type(line) is int else None
    return {"type": data["type"][:200], "message": data["message"][:_MAX_TEXT], "line": line}


def _outcome(data: Any, test: Test) -> dict[str, Any]:
    if type(data) is not dict:
        raise ProtocolError("malformed test outcome")
    if "error" in data:
        return {"error": _error(data["error"])}
    if isinstance(test, CallTest):
        if set(data) != {"value"}:
            raise ProtocolError("malformed call-test outcome")
        return {"value": decode_value(data["value"])}
    if type(data.get("ok")) is not bool:
        raise ProtocolError("malformed assert-test outcome")
    message = data.get("message")
    return {"ok": data["ok"], "message": message[:_MAX_TEXT] if type(message) is str else None}


def parse_report(stream: bytes, nonce: str, tests: Sequence[Test]) -> Report:
    """Validate the result stream line by line against the harness protocol."""
    report = Report()
    prefix = nonce.encode("ascii") + b" "
    lines = stream.split(b"\n")
    lines.pop()  # text after the last newline: empty, or a record cut off by a kill
    stage = "compile"
    try:
        for line in lines:
            if not line.startswith(prefix):
                raise ProtocolError("a result line lacks this run's nonce")
            try:
                record = json.loads(line[len(prefix):])
            except (ValueError, RecursionError) as exc:
                raise ProtocolError(f"unreadable result line: {exc}") from None
            if type(record) is not list or not record or type(record[0]) is not str:
                raise ProtocolError("malformed result record")
            kind = record[0]
            if stage == "compile" and kind == "compiled" and len(record) == 1:
                stage = "load"
            elif stage == "compile" and kind == "compile_error" and len(record) == 2:
                report.compile_error, stage = _error(record[1]), "end"
            elif stage == "load" and kind == "loaded" and len(record) == 1:
                stage = "tests"
            elif stage == "load" and kind == "load_error" and len(record) == 2:
                report.load_error, stage = _error(record[1]), "end"
            elif (
                stage == "tests" and kind == "test" and len(record) == 3
                and type(record[1]) is int and record[1] == len(report.outcomes) < len(tests)
            ):
                report.outcomes.append(_outcome(record[2], tests[record[1]]))
            elif stage == "tests" and kind == "done" and len(record) == 1 and len(report.outcomes) == len(tests):
                report.done, stage = True, "end"
            else:
                raise ProtocolError(f"unexpected record {kind!r} while expecting {stage!r}")
    except ProtocolError as exc:
        report.protocol_error = str(exc)
    return report


def _signal_of(exit_code: int | None, sandboxed: bool) -> int | None:
    """The signal that ended the child; bubblewrap reports a child killed by N as 128 + N."""
    if exit_code is None:
        return None
    if exit_code < 0:
        return -exit_code
    if sandboxed and 128 < exit_code < 128 + 65:
        return exit_code - 128
    return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _test_outcomes(report: Report, tests: Sequence[Test]) -> list[TestOutcome]:
    outcomes = []
    for index, test in enumerate(tests):
        if report.protocol_error is not None or index >= len(report.outcomes):
            outcomes.append(TestOutcome(False, "NotRun", "the run ended before this test reported a result"))
            continue
        data = report.outcomes[index]
        if "error" in data:
            outcomes.append(TestOutcome(False, data["error"]["type"], data["error"]["message"]))
        elif isinstance(test, CallTest):
            actual = _repr.repr(data["value"])
            if test.matches(data["value"]):
                outcomes.append(TestOutcome(True, actual=actual))
            else:
                message = f"{test.call} returned {actual}, expected {_repr.repr(test.expected)}"
                outcomes.append(TestOutcome(False, None, message, actual))
        elif data["ok"]:
            outcomes.append(TestOutcome(True))
        else:
            outcomes.append(TestOutcome(False, "AssertionError", data["message"]))
    return outcomes


def judge(
    raw: RawRun, report: Report, tests: Sequence[Test], timeout: float, cpu_limit: int, memory_mb: int
) -> ExecutionResult:
    """The verdict. Precedence: compile error, then a complete run judged by its tests, then
    timeout, memory, protocol error, program error, and finally a crash or early exit."""
    if raw.records_overflow and report.protocol_error is None and not report.done:
        report.protocol_error = "the result stream exceeded its size limit"
    outcomes = _test_outcomes(report, tests)
    sig = _signal_of(raw.exit_code, raw.sandboxed)
    errors = ([report.load_error] if report.load_error else []) + [d["error"] for d in report.outcomes if "error" in d]
    complete = report.done and report.protocol_error is None and raw.exit_code == 0

    status: Status
    error: dict[str, Any] | None = None
    if report.compile_error is not None and report.protocol_error is None:
        error = report.compile_error
        status = Status.MEMORY if error["type"] == "MemoryError" else Status.COMPILE_ERROR
    elif complete and not errors:
        failed = sum(not o.passed for o in outcomes)
        status = Status.FAILED if failed else Status.PASSED
        if failed:
            error = {"type": None, "message": f"{failed} of {len(tests)} tests failed", "line": None}
    elif complete:
        memory = [e for e in errors if e["type"] == "MemoryError"]
        status, error = (Status.MEMORY, memory[0]) if memory else (Status.RUNTIME_ERROR, errors[0])
    elif raw.timed_out or sig == signal.SIGXCPU or (
        sig == signal.SIGKILL and raw.cpu_time is not None and raw.cpu_time >= cpu_limit
    ):
        status = Status.TIMEOUT
        limit = f"wall-clock limit of {timeout:g} s" if raw.timed_out else f"CPU-time limit of {cpu_limit} s"
        error = {"type": "Timeout", "message": f"the program exceeded the {limit}", "line": None}
    elif any(e["type"] == "MemoryError" for e in errors) or (
        sig is not None and any(hint in raw.stderr for hint in _MEMORY_HINTS)
    ):
        status = Status.MEMORY
        found = [e for e in errors if e["type"] == "MemoryError"]
        error = found[0] if found else {"type": "MemoryError", "message": "", "line": None}
    elif report.protocol_error is not None:
        status = Status.RUNTIME_ERROR
        error = {"type": "ProtocolError", "message": report.protocol_error, "line": None}
    elif errors:
        status, error = Status.RUNTIME_ERROR, errors[0]
    elif sig is not None:
        status = Status.RUNTIME_ERROR
        error = {"type": _signal_name(sig), "message": f"the process was killed by {_signal_name(sig)}", "line": None}
    else:
        status = Status.RUNTIME_ERROR
        error = {
            "type": "EarlyExit",
            "message": f"the process exited with status {raw.exit_code} before reporting every test result",
            "line": None,
        }

    if status is Status.MEMORY and error is not None and not error["message"]:
        error = dict(error, message=f"the program exceeded the memory limit of {memory_mb} MiB")
    return ExecutionResult(
        status=status,
        tests=tuple(outcomes),
        error_type=error["type"] if error else None,
        error_message=error["message"] if error else None,
        error_line=error["line"] if error else None,
        stdout=raw.stdout.decode("utf-8", "replace"),
        stderr=raw.stderr.decode("utf-8", "replace"),
        stdout_truncated=raw.stdout_truncated,
        stderr_truncated=raw.stderr_truncated,
        wall_time=raw.wall_time,
        exit_code=raw.exit_code,
        sandboxed=raw.sandboxed,
    )
