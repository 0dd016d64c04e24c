"""Execution-based rewards for generated programs: CodeRL's graded reward, RLTF's, pass rate.

Running a program on its tests ends in one of four outcomes (:data:`OUTCOMES`), the
classes of CodeRL (Le et al., 2022, "CodeRL: Mastering Code Generation through
Pretrained Models and Deep Reinforcement Learning", eq. 4):

============== ==================================================== ======= ============= =========
outcome        when                                                 coderl  rltf          pass_rate
============== ==================================================== ======= ============= =========
compile_error  the program does not compile (does not parse)         -1.0    -1.0          0
runtime_error  an exception, a crash, a timeout, the memory limit    -0.6    -0.6          k / n
failed         every test ran, at least one answer was wrong         -0.3    -0.3 + 1.3 k/n k / n
passed         every test passed                                     +1.0    +1.0          1
============== ==================================================== ======= ============= =========

``k / n`` is the fraction of tests passed. RLTF's *adaptive feedback* (Liu et al., 2023,
"RLTF: Reinforcement Learning from Unit Test Feedback", section 3.3) grades the failed
class by that fraction, ``-0.3 + 1.3 k / n``, which rises to +1 as the program passes more
tests; the other classes keep CodeRL's values. Timeouts and memory errors count as
runtime errors, as CodeRL counts them.

The same outcome classes serve both code environments: :class:`SandboxReward` runs
Python programs in :mod:`genenvs.code.sandbox` (CodeGen-v0), :class:`DSLReward` runs
CodeDSL programs with the in-process interpreter of :mod:`genenvs.code.dsl` (CodeDSL-v0),
where a program that does not parse is a compile error and an example whose output is
``None`` (HEAD of an empty list, ACCESS out of range) is a runtime error.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult

COMPILE_ERROR, RUNTIME_ERROR, FAILED, PASSED = "compile_error", "runtime_error", "failed", "passed"
OUTCOMES = (COMPILE_ERROR, RUNTIME_ERROR, FAILED, PASSED)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """How one program did on its tests.

    Attributes:
        outcome: one of :data:`OUTCOMES`.
        tests: per test, whether it passed (all False after a compile error).
        error_type: the error behind a non-passing outcome (``"SyntaxError"``,
            ``"ZeroDivisionError"``, ``"Timeout"``, ``"MemoryError"``, ``"NoneOutput"``...).
        error_message: a readable explanation of the error.
        execution_status: the executor's finer status (the sandbox's ``"timeout"`` or
            ``"memory"``, which both count as runtime errors), else the outcome.
    """

    outcome: str
    tests: tuple[bool, ...]
    error_type: str | None = None
    error_message: str | None = None
    execution_status: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {self.outcome!r}")

    @property
    def pass_ratio(self) -> float:
        """Fraction of tests passed (0 for a program without tests or that does not compile)."""
        return sum(self.tests) / len(self.tests) if self.tests else float(self.outcome == PASSED)

    def info(self) -> dict[str, Any]:
        """The keys this verdict adds to the final ``info`` of an episode."""
        return {
            "status": self.outcome,
            "execution_status": self.execution_status or self.outcome,
            "error_type": self.error_type,
            "error_message": self.error_message,
            "test_outcomes": list(self.tests),
            "tests_passed": int(sum(self.tests)),
            "num_tests": len(self.tests),
            "pass_rate": self.pass_ratio,
        }


def compile_error(num_tests: int, error_type: str, message: str) -> Verdict:
    return Verdict(COMPILE_ERROR, (False,) * num_tests, error_type, message, COMPILE_ERROR)


# ------------------------------------------------------------------------------------
# reward functions
# ------------------------------------------------------------------------------------

#: CodeRL's reward per outcome class (Le et al., 2022).
CODERL_VALUES = {COMPILE_ERROR: -1.0, RUNTIME_ERROR: -0.6, FAILED: -0.3, PASSED: 1.0}


def coderl_reward(verdict: Verdict) -> float:
    """CodeRL: -1 compile error, -0.6 runtime error (timeouts included), -0.3 failed tests, +1 all pass."""
    return CODERL_VALUES[verdict.outcome]


def rltf_reward(verdict: Verdict) -> float:
    """RLTF's adaptive reward: CodeRL's, except failed programs get ``-0.3 + 1.3 * pass_ratio``."""
    if verdict.outcome == FAILED:
        return -0.3 + 1.3 * verdict.pass_ratio
    return CODERL_VALUES[verdict.outcome]


def pass_rate_reward(verdict: Verdict) -> float:
    """Fraction of tests passed: 0 after a compile error, 1 when every test passes."""
    return verdict.pass_ratio if verdict.outcome != COMPILE_ERROR else 0.0


#: Reward name -> function of a :class:`Verdict`; the name is the reward component's name.
REWARDS: dict[str, Callable[[Verdict], float]] = {
    "coderl": coderl_reward,
    "rltf": rltf_reward,
    "pass_rate": pass_rate_reward,
}


def check_reward_name(reward: str) -> str:
    if reward not in REWARDS:
        raise ValueError(f"unknown reward {reward!r}; valid rewards: {sorted(REWARDS)}")
    return reward


# ------------------------------------------------------------------------------------
# scorers
# ------------------------------------------------------------------------------------


class ExecutionReward(Scorer):
    """Scores programs by executing them; subclasses say how (:meth:`verdicts`).

    The score of a sample is ``REWARDS[reward](verdict)``, reported as one component named
    after the reward. Samples that are not programs at all (an illegal token, an
    untokenisable string) are compile errors. A sample is *valid* when it compiles.

    The verdicts of the last scored batch stay available through :meth:`verdict_for`, so
    that the task can put per-test outcomes and the error type in the episode's ``info``.
    """

    version = "1"

    def __init__(self, reward: str) -> None:
        self.reward = check_reward_name(reward)
        self.name = reward
        self.reward_fn = REWARDS[reward]
        self.invalid_score = self.reward_fn(compile_error(1, "InvalidSample", ""))
        self._last: dict[tuple[int, Any], Verdict] = {}

    def params(self) -> dict[str, Any]:
        return {"reward": self.reward}

    def num_tests(self, context: Any) -> int:
        raise NotImplementedError

    def verdicts(self, samples: Sequence[Any], contexts: Sequence[Any]) -> list[Verdict]:
        """Verdicts of valid samples (one per sample, in order)."""
        raise NotImplementedError

    def score(self, batch: SampleBatch) -> ScoreResult:
        n = len(batch)
        contexts = batch.contexts if batch.contexts is not None else [None] * n
        verdicts: list[Verdict | None] = [None] * n
        valid_rows = np.flatnonzero(batch.valid)
        if valid_rows.size:
            found = self.verdicts([batch.samples[i] for i in valid_rows], [contexts[i] for i in valid_rows])
            for i, verdict in zip(valid_rows, found, strict=True):
                verdicts[i] = verdict
        for i in np.flatnonzero(~batch.valid):
            verdicts[i] = compile_error(self.num_tests(contexts[i]), "InvalidSample", "the action sequence is not a program (a masked token or an untokenisable string)")
        scores = np.array([self.reward_fn(v) for v in verdicts], dtype=np.float64)
        valid = np.array([v.outcome != COMPILE_ERROR for v in verdicts], dtype=bool)
        self._last = {(id(c), _hashable(s)): v for s, c, v in zip(batch.samples, contexts, verdicts)}
        return ScoreResult(scores=scores, components={self.name: scores}, valid=valid)

    def verdict_for(self, sample: Any, context: Any) -> Verdict | None:
        """The verdict of ``sample`` in ``context`` from the last scored batch, if it was in it."""
        return self._last.get((id(context), _hashable(sample)))


def _hashable(sample: Any) -> Any:
    return sample if isinstance(sample, (str, int, float, tuple, type(None))) else repr(sample)


class SandboxReward(ExecutionReward):
    """Runs Python programs against a problem's hidden tests in :mod:`genenvs.code.sandbox`.

    The samples are function bodies; the contexts are
    :class:`~genenvs.code.problems.Problem` objects. All programs of a batch go to one
    :func:`~genenvs.code.sandbox.run_batch` call (one sandboxed process each, run in
    parallel). Two shortcuts avoid launching a process, without changing any verdict:

    * a program that Python's parser rejects (``ast.parse``, same interpreter as the
      sandbox) is a compile error. Parsing builds a syntax tree and executes nothing;
    * verdicts are memoised per (problem id, body) in an LRU of ``cache_size`` entries,
      so a repeated sample costs a lookup (and a flaky timeout cannot change its score).

    Args:
        reward: a name in :data:`REWARDS`.
        timeout: wall-clock seconds per program, all tests included.
        memory_mb: address-space limit per program.
        max_workers: parallel sandboxes (default: the CPUs this process may use).
        allow_unsandboxed: run without bubblewrap (with a loud warning) when it is
            unavailable; only for trusted code.
    """

    def __init__(
        self,
        reward: str = "coderl",
        timeout: float = 2.0,
        memory_mb: int = 256,
        max_workers: int | None = None,
        allow_unsandboxed: bool = False,
        cache_size: int = 10_000,
    ) -> None:
        from genenvs.code.sandbox.runner import Limits, select_launcher

        super().__init__(reward)
        Limits(timeout, memory_mb)  # validates both, with clear messages
        if max_workers is not None and max_workers < 1:
            raise ValueError(f"max_workers must be a positive int or None, got {max_workers}")
        if cache_size < 0:
            raise ValueError(f"cache_size must be >= 0, got {cache_size}")
        self.timeout = float(timeout)
        self.memory_mb = int(memory_mb)
        self.max_workers = max_workers
        self.allow_unsandboxed = bool(allow_unsandboxed)
        self.cache_size = int(cache_size)
        self._cache: OrderedDict[tuple[str, str], Verdict] = OrderedDict()
        self.executions = 0  # programs actually run in the sandbox
        # Refuse now, not at the first finished episode, when bubblewrap is unusable
        # (SandboxUnavailableError), unless explicitly allowed (then it warns loudly).
        self.sandboxed = select_launcher("bwrap", self.allow_unsandboxed).sandboxed

    def params(self) -> dict[str, Any]:
        return {"reward": self.reward, "timeout": self.timeout, "memory_mb": self.memory_mb}

    def num_tests(self, context: Any) -> int:
        return len(context.tests)

    def verdicts(self, samples: Sequence[str], contexts: Sequence[Any]) -> list[Verdict]:
        from genenvs.code.problems import full_program
        from genenvs.code.sandbox import run_batch

        out: list[Verdict | None] = [None] * len(samples)
        pending: dict[tuple[str, str], list[int]] = {}
        programs: dict[tuple[str, str], tuple[str, Any]] = {}
        for i, (body, problem) in enumerate(zip(samples, contexts, strict=True)):
            key = (problem.id, body)
            if key in self._cache:
                self._cache.move_to_end(key)
                out[i] = self._cache[key]
                continue
            if key in pending:
                pending[key].append(i)
                continue
            program = full_program(problem, body)
            error = _syntax_error(program)
            if error is not None:
                out[i] = compile_error(len(problem.tests), *error)
                self._remember(key, out[i])
                continue
            pending[key] = [i]
            programs[key] = (program, problem.tests)
        if programs:
            keys = list(programs)
            results = run_batch(
                [programs[k][0] for k in keys], [programs[k][1] for k in keys], self.timeout, self.memory_mb,
                max_workers=self.max_workers, allow_unsandboxed=self.allow_unsandboxed,
            )
            self.executions += len(keys)
            for key, result in zip(keys, results, strict=True):
                verdict = verdict_from_execution(result)
                self._remember(key, verdict)
                for i in pending[key]:
                    out[i] = verdict
        return out  # type: ignore[return-value]

    def _remember(self, key: tuple[str, str], verdict: Verdict) -> None:
        if self.cache_size == 0:
            return
        self._cache[key] = verdict
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)


def _syntax_error(program: str) -> tuple[str, str] | None:
    """``(error type, message)`` if Python's parser rejects ``program``, else None (nothing is executed)."""
    try:
        with warnings.catch_warnings():
            # Warnings (e.g. "invalid decimal literal") must neither print nor, under
            # ``-W error``, turn into errors the sandbox's compiler would not raise.
            warnings.simplefilter("ignore")
            ast.parse(program)
    except SyntaxError as exc:  # IndentationError and TabError included
        return type(exc).__name__, f"{exc.msg} (line {exc.lineno})"
    except ValueError as exc:  # e.g. null bytes
        return "SyntaxError", str(exc)
    except (RecursionError, MemoryError):
        return None  # let the sandbox decide
    return None


def verdict_from_execution(result: Any) -> Verdict:
    """Map a sandbox :class:`~genenvs.code.sandbox.ExecutionResult` onto the four outcomes."""
    status = str(result.status)
    outcome = {"passed": PASSED, "failed": FAILED, "compile_error": COMPILE_ERROR}.get(status, RUNTIME_ERROR)
    return Verdict(outcome, tuple(bool(t.passed) for t in result.tests), result.error_type, result.error_message, status)


class DSLReward(ExecutionReward):
    """Runs CodeDSL programs on a task's input/output examples, in process.

    No sandbox is needed: a CodeDSL program is not Python but a list of calls to the
    fixed, total functions of :mod:`genenvs.code.dsl` on ints clipped to [-256, 255]. It
    has no loops, recursion, I/O or names to reach outside the interpreter, and at most 8
    statements over lists no longer than the input, so every run is short and cannot
    fail except by producing ``None``.

    The samples are programs as token strings; the contexts are
    :class:`~genenvs.code.dsl_tasks.DSLTask` objects.
    """

    def __init__(self, reward: str = "pass_rate", max_statements: int = 8) -> None:
        super().__init__(reward)
        self.max_statements = max_statements

    def params(self) -> dict[str, Any]:
        return {"reward": self.reward, "max_statements": self.max_statements}

    def num_tests(self, context: Any) -> int:
        return context.num_examples

    def verdicts(self, samples: Sequence[Any], contexts: Sequence[Any]) -> list[Verdict]:
        return [dsl_verdict(sample, task, self.max_statements) for sample, task in zip(samples, contexts, strict=True)]


@functools.lru_cache(maxsize=1 << 16)
def _parse_dsl(text: str, max_statements: int) -> Any:
    """A CodeDSL ``Program``, or the parser's message; memoised (agents repeat programs a lot)."""
    from genenvs.code.dsl import DSLSyntaxError, parse

    try:
        return parse(text, max_statements)
    except DSLSyntaxError as exc:
        return str(exc)


def dsl_verdict(program: Any, task: Any, max_statements: int = 8) -> Verdict:
    """Run a CodeDSL program (``Program``, tokens, ids or text) on the examples of ``task``."""
    from genenvs.code.dsl import DSLSyntaxError, Program, parse

    n = task.num_examples
    if isinstance(program, str):
        program = _parse_dsl(program, max_statements)
        if isinstance(program, str):
            return compile_error(n, "DSLSyntaxError", program)
    elif not isinstance(program, Program):
        try:
            program = parse(program, max_statements)
        except DSLSyntaxError as exc:
            return compile_error(n, "DSLSyntaxError", str(exc))
    passed, missing = [], 0
    for inputs, expected in task.examples:
        output = program.run(inputs)
        missing += output is None
        passed.append(output is not None and type(output) is type(expected) and output == expected)
    if missing:
        message = f"the program has no output on {missing} of {n} examples (HEAD/LAST/MINIMUM/MAXIMUM of an empty list or ACCESS out of range)"
        return Verdict(RUNTIME_ERROR, tuple(passed), "NoneOutput", message, RUNTIME_ERROR)
    if all(passed):
        return Verdict(PASSED, tuple(passed), None, None, PASSED)
    return Verdict(FAILED, tuple(passed), None, f"{n - sum(passed)} of {n} examples give a wrong output", FAILED)


__all__ = [
    "CODERL_VALUES",
    "OUTCOMES",
    "REWARDS",
    "DSLReward",
    "ExecutionReward",
    "SandboxReward",
    "Verdict",
    "coderl_reward",
    "dsl_verdict",
    "pass_rate_reward",
    "rltf_reward",
    "verdict_from_execution",
]
