"""Launching one child per program, feeding it, watching it, and killing it on time.

One process runs *all* tests of a program (one interpreter start per program, not per
test). The parent talks to it through four pipes it creates itself: the job goes in on
stdin, stdout and stderr are captured up to a limit (the rest is read and dropped, so a
flood can neither block the child nor fill the parent's memory), and results come back
on a dedicated pipe whose number the program is told nothing about. A ``pidfd`` wakes the
loop when the child exits; at the deadline the whole process group is killed with
SIGKILL (under bubblewrap that takes the pid namespace, and everything in it, down).
"""

from __future__ import annotations

import dataclasses
import marshal
import math
import os
import secrets
import selectors
import signal
import subprocess
import threading
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from genenvs.code.sandbox.launch import (
    CHILD_ENV,
    HARNESS_CODE,
    DirectLauncher,
    Launcher,
    make_workdir,
    probe_bubblewrap,
)
from genenvs.code.sandbox.result import ExecutionResult
from genenvs.code.sandbox.seccomp import build_filter
from genenvs.code.sandbox.testcases import CallTest, Test, as_test
from genenvs.code.sandbox.verdict import RawRun, judge, parse_report

DEFAULT_TIMEOUT = 5.0  # seconds of wall-clock time for the whole program, all tests included
DEFAULT_MEMORY_MB = 512  # address space of the child, interpreter included (~25 MB)
DEFAULT_OUTPUT_LIMIT = 64 * 1024  # bytes of stdout and of stderr kept
MIN_MEMORY_MB = 64
RESULT_LIMIT = 16 << 20  # bytes of result records accepted
MAX_PROCESSES = 32  # RLIMIT_NPROC (threads count too)
MAX_FILE_BYTES = 16 << 20  # RLIMIT_FSIZE
MAX_OPEN_FILES = 64  # RLIMIT_NOFILE
DRAIN_SECONDS = 1.0  # how long to wait for pipes to close once the child is gone

Isolation = Literal["bwrap", "none"]

_SECCOMP_FILTER = build_filter()
_warned_unsandboxed = False
_warn_lock = threading.Lock()


@dataclasses.dataclass(frozen=True)
class Limits:
    """Per-run limits, validated once."""

    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    output_limit: int = DEFAULT_OUTPUT_LIMIT

    def __post_init__(self) -> None:
        if not (isinstance(self.timeout, (int, float)) and math.isfinite(self.timeout) and self.timeout > 0):
            raise ValueError(f"timeout must be a positive number of seconds, got {self.timeout!r}")
        if not isinstance(self.memory_mb, int) or self.memory_mb < MIN_MEMORY_MB:
            raise ValueError(
                f"memory_mb must be an int >= {MIN_MEMORY_MB} (the interpreter alone needs ~25 MB), "
                f"got {self.memory_mb!r}"
            )
        if not isinstance(self.output_limit, int) or self.output_limit < 0:
            raise ValueError(f"output_limit must be a non-negative int of bytes, got {self.output_limit!r}")

    @property
    def cpu_seconds(self) -> int:
        """RLIMIT_CPU soft limit: the wall timeout rounded up (threads add up CPU time)."""
        return max(1, math.ceil(self.timeout))

    def harness_args(self, result_fd: int) -> list[str]:
        values = (result_fd, self.memory_mb << 20, self.cpu_seconds, MAX_PROCESSES, MAX_FILE_BYTES, MAX_OPEN_FILES)
        return [str(v) for v in values]


def run(
    program: str,
    tests: Sequence[Test],
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    *,
    output_limit: int = DEFAULT_OUTPUT_LIMIT,
    isolation: Isolation = "bwrap",
    allow_unsandboxed: bool = False,
) -> ExecutionResult:
    """Run ``program`` against ``tests`` in a fresh sandboxed process.

    Args:
        program: Python source. It is executed as module ``solution``; the tests then
            run in order in the same process.
        tests: :class:`CallTest` / :class:`AssertTest` items (or objects with the same
            fields).
        timeout: wall-clock seconds for the whole run (start-up and all tests). The CPU
            time limit is the same number rounded up.
        memory_mb: address-space limit of the child in MiB (interpreter included).
        output_limit: bytes of stdout and of stderr kept in the result.
        isolation: ``"bwrap"`` (default) or ``"none"``; ``"none"`` requires
            ``allow_unsandboxed=True``.
        allow_unsandboxed: permit running without bubblewrap (with a warning) when it is
            missing or unusable. Only for trusted code: the program then runs with your
            user's rights, limited only by rlimits, a timeout and its own process group.

    Raises:
        SandboxUnavailableError: bubblewrap is missing or unusable and
            ``allow_unsandboxed`` is False.
    """
    return run_batch([program], [tests], timeout, memory_mb, max_workers=1, output_limit=output_limit,
                     isolation=isolation, allow_unsandboxed=allow_unsandboxed)[0]


def run_batch(
    programs: Sequence[str],
    tests_per_program: Sequence[Sequence[Test]],
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    *,
    max_workers: int | None = None,
    output_limit: int = DEFAULT_OUTPUT_LIMIT,
    isolation: Isolation = "bwrap",
    allow_unsandboxed: bool = False,
) -> list[ExecutionResult]:
    """Run many programs in parallel, one sandboxed process each; results in input order.

    ``tests_per_program[i]`` are the tests of ``programs[i]`` (pass ``[tests] * n`` for n
    samples of one task). Each worker thread supervises one child at a time;
    ``max_workers`` defaults to two per CPU this process may use, because a run spends
    much of its time blocked in process and namespace start-up rather than on a CPU (so
    up to ``2 * CPUs * memory_mb`` may be in use at once). The other arguments are as for
    :func:`run` and apply to every program.
    """
    if isinstance(programs, str):
        raise TypeError("programs must be a sequence of source strings, not a single str; use run() for one")
    if len(programs) != len(tests_per_program):
        raise ValueError(
            f"got {len(programs)} programs but {len(tests_per_program)} test lists; pass one list per program"
        )
    for program in programs:
        if not isinstance(program, str):
            raise TypeError(f"each program must be a str of Python source, got {type(program).__name__}")
    checked = [[as_test(t) for t in tests] for tests in tests_per_program]
    limits = Limits(timeout, memory_mb, output_limit)
    launcher = select_launcher(isolation, allow_unsandboxed)
    if max_workers is None:
        max_workers = default_workers()
    if max_workers < 1:
        raise ValueError(f"max_workers must be >= 1, got {max_workers}")
    if len(programs) == 1 or max_workers == 1:
        return [execute(p, t, limits, launcher) for p, t in zip(programs, checked)]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(programs))) as pool:
        return list(pool.map(lambda job: execute(job[0], job[1], limits, launcher), zip(programs, checked)))


def default_workers() -> int:
    """Two concurrent children per CPU available to this process."""
    return 2 * len(os.sched_getaffinity(0))


def select_launcher(isolation: Isolation, allow_unsandboxed: bool) -> Launcher:
    """bubblewrap when usable; otherwise fall back (with a warning) only if explicitly allowed."""
    if isolation not in ("bwrap", "none"):
        raise ValueError(f"isolation must be 'bwrap' or 'none', got {isolation!r}")
    if isolation == "none":
        if not allow_unsandboxed:
            raise ValueError("isolation='none' runs untrusted code without a sandbox; also pass allow_unsandboxed=True")
        _warn_unsandboxed("isolation='none' was requested")
        return DirectLauncher()
    try:
        return probe_bubblewrap()
    except Exception as exc:
        if not allow_unsandboxed:
            raise
        _warn_unsandboxed(str(exc))
        return DirectLauncher()


def _warn_unsandboxed(reason: str) -> None:
    global _warned_unsandboxed
    with _warn_lock:
        if _warned_unsandboxed:
            return
        _warned_unsandboxed = True
    warnings.warn(
        f"genenvs.code.sandbox is running programs WITHOUT ISOLATION ({reason}). They can read, write and "
        "delete anything your user can, and reach the network; only rlimits, a timeout and a separate "
        "process group apply. Never do this with untrusted code.",
        RuntimeWarning,
        stacklevel=4,
    )


def execute(program: str, tests: Sequence[Test], limits: Limits, launcher: Launcher) -> ExecutionResult:
    """One program, one child process, one verdict."""
    nonce = secrets.token_hex(16)
    job = {"nonce": nonce, "program": program, "tests": [_test_payload(t) for t in tests]}
    raw = _spawn_and_watch(marshal.dumps((HARNESS_CODE, job)), limits, launcher)  # trusted -> child
    report = parse_report(raw.records, nonce, tests)
    return judge(raw, report, tests, limits.timeout, limits.cpu_seconds, limits.memory_mb)


def _test_payload(test: Test) -> dict[str, Any]:
    """What the child needs to know about a test; a CallTest's expected value is not part of it."""
    if isinstance(test, CallTest):
        return {"kind": "call", "call": test.call}
    return {"kind": "assert", "code": test.code, "entry_point": test.entry_point,
            "require_plain_results": test.require_plain_results}


class _Capture:
    """Keeps the first ``limit`` bytes of a stream and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit, self.total, self.chunks = limit, 0, []

    def feed(self, data: bytes) -> None:
        room = self.limit - min(self.total, self.limit)
        if room:
            self.chunks.append(data[:room])
        self.total += len(data)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)

    @property
    def truncated(self) -> bool:
        return self.total > self.limit


def _spawn_and_watch(job: bytes, limits: Limits, launcher: Launcher) -> RawRun:
    result_read, result_write = os.pipe()
    seccomp_read = None
    if launcher.sandboxed and _SECCOMP_FILTER is not None:
        seccomp_read, seccomp_write = os.pipe()  # the filter (< 1 KiB) fits in the pipe buffer
        os.write(seccomp_write, _SECCOMP_FILTER)
        os.close(seccomp_write)
    workdir = make_workdir() if launcher.needs_workdir() else None
    env = dict(CHILD_ENV, HOME=workdir.name) if workdir else dict(CHILD_ENV)
    argv = launcher.command(limits.harness_args(result_write), seccomp_read)
    pass_fds = (result_write,) if seccomp_read is None else (result_write, seccomp_read)
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            pass_fds=pass_fds, start_new_session=True, cwd=workdir.name if workdir else None, env=env,
        )
    except BaseException:
        os.close(result_read)
        if workdir:
            workdir.cleanup()
        raise
    finally:
        os.close(result_write)  # the child holds the only write end now: EOF means it is gone
        if seccomp_read is not None:
            os.close(seccomp_read)
    try:
        return _watch(proc, job, result_read, start, limits, launcher.sandboxed)
    finally:
        if proc.returncode is None:  # interrupted (e.g. KeyboardInterrupt): never leave the child behind
            _kill_group(proc.pid)
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            try:
                stream.close()
            except OSError:
                pass
        os.close(result_read)
        if workdir:
            workdir.cleanup()


def _watch(proc: subprocess.Popen, job: bytes, result_fd: int, start: float, limits: Limits,
           sandboxed: bool) -> RawRun:
    captures = {
        proc.stdout.fileno(): _Capture(limits.output_limit),
        proc.stderr.fileno(): _Capture(limits.output_limit),
        result_fd: _Capture(RESULT_LIMIT),
    }
    stdin_fd = proc.stdin.fileno()
    pending = memoryview(job)
    selector = selectors.DefaultSelector()
    for fd in captures:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    os.set_blocking(stdin_fd, False)
    selector.register(stdin_fd, selectors.EVENT_WRITE)
    try:
        pidfd = os.pidfd_open(proc.pid)
        selector.register(pidfd, selectors.EVENT_READ)
    except (AttributeError, OSError):  # pidfd needs Linux >= 5.3; fall back to polling
        pidfd = None

    deadline = start + limits.timeout
    exited = timed_out = False
    try:
        while not exited:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            events = selector.select(remaining if pidfd is not None else min(remaining, 0.01))
            for key, _ in events:
                fd = key.fd
                if fd == pidfd:
                    exited = True
                elif fd == stdin_fd:
                    try:
                        pending = pending[os.write(stdin_fd, pending[: 1 << 16]):]
                    except BlockingIOError:
                        continue
                    except OSError:  # BrokenPipe: the child stopped reading
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(stdin_fd)
                        proc.stdin.close()
                else:
                    _read_into(fd, captures[fd], selector)
            if pidfd is None and not exited:
                exited = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        # Kill what is left: the child on timeout, stray grandchildren otherwise (the
        # group leader is not reaped yet, so its pid cannot have been reused).
        _kill_group(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall_time = time.monotonic() - start
        _drain(selector, captures, stdin_fd, pidfd)
    finally:
        selector.close()
        if pidfd is not None:
            os.close(pidfd)

    stdout, stderr, results = (captures[fd] for fd in (proc.stdout.fileno(), proc.stderr.fileno(), result_fd))
    return RawRun(
        records=results.data,
        records_overflow=results.truncated,
        stdout=stdout.data,
        stdout_truncated=stdout.truncated,
        stderr=stderr.data,
        stderr_truncated=stderr.truncated,
        exit_code=proc.returncode,
        timed_out=timed_out,
        wall_time=wall_time,
        cpu_time=None if sandboxed else usage.ru_utime + usage.ru_stime,
        sandboxed=sandboxed,
    )


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_into(fd: int, capture: _Capture, selector: selectors.BaseSelector) -> None:
    try:
        data = os.read(fd, 1 << 16)
    except BlockingIOError:
        return
    if data:
        capture.feed(data)
    else:
        selector.unregister(fd)


def _drain(selector: selectors.BaseSelector, captures: dict[int, _Capture], stdin_fd: int, pidfd: int | None) -> None:
    """Read what the dead child left in the pipes, until EOF or ``DRAIN_SECONDS``."""
    for fd in (stdin_fd, pidfd):
        if fd is not None and fd in selector.get_map():
            selector.unregister(fd)
    deadline = time.monotonic() + DRAIN_SECONDS
    while selector.get_map() and (remaining := deadline - time.monotonic()) > 0:
        for key, _ in selector.select(remaining):
            _read_into(key.fd, captures[key.fd], selector)
