"""CodeRL / RLTF / pass-rate rewards on real sandbox executions and real CodeDSL runs."""

import numpy as np
import pytest

from genenvs.code.dsl_tasks import DSLTask, generate_task
from genenvs.code.problems import get_problem
from genenvs.code.rewards import (
    REWARDS,
    DSLReward,
    SandboxReward,
    Verdict,
    coderl_reward,
    dsl_verdict,
    pass_rate_reward,
    rltf_reward,
)
from genenvs.rewards.base import SampleBatch

RUNNING_MAX = get_problem("genenvs/000")  # 7 tests
WRONG_BODY = "    return xs\n"  # passes 4 of the 7 tests (empty, single, constant and increasing lists)
CRASHING_BODY = "    return 1 // 0\n"
LOOPING_BODY = "    while True:\n        pass\n"
SYNTAX_ERROR_BODY = "    return xs +\n"


def verdict(outcome, tests):
    return Verdict(outcome, tuple(tests))


@pytest.mark.parametrize(
    ("outcome", "tests", "coderl", "rltf", "pass_rate"),
    [
        ("compile_error", [False] * 4, -1.0, -1.0, 0.0),
        ("runtime_error", [True, False, False, False], -0.6, -0.6, 0.25),
        ("failed", [True, True, True, False], -0.3, -0.3 + 1.3 * 0.75, 0.75),
        ("failed", [False] * 4, -0.3, -0.3, 0.0),
        ("passed", [True] * 4, 1.0, 1.0, 1.0),
    ],
)
def test_reward_values_follow_coderl_and_rltf(outcome, tests, coderl, rltf, pass_rate):
    v = verdict(outcome, tests)
    assert coderl_reward(v) == coderl
    assert rltf_reward(v) == pytest.approx(rltf)
    assert pass_rate_reward(v) == pytest.approx(pass_rate)
    assert set(REWARDS) == {"coderl", "rltf", "pass_rate"}


def test_verdict_rejects_unknown_outcome_and_reward_names():
    with pytest.raises(ValueError, match="outcome must be one of"):
        Verdict("timeout", ())
    with pytest.raises(ValueError, match="valid rewards"):
        SandboxReward("coderl2")
    with pytest.raises(ValueError, match="valid rewards"):
        DSLReward("accuracy")


@pytest.fixture(scope="module")
def sandbox_batch():
    """One batched sandbox call for five programs; returns the scorer, batch and result."""
    scorer = SandboxReward("coderl", timeout=0.5)
    bodies = [RUNNING_MAX.reference_solution, WRONG_BODY, CRASHING_BODY, LOOPING_BODY, SYNTAX_ERROR_BODY]
    batch = SampleBatch(samples=bodies, contexts=[RUNNING_MAX] * len(bodies))
    return scorer, batch, scorer(batch)


def test_sandbox_reward_grades_the_four_outcomes(sandbox_batch):
    scorer, batch, result = sandbox_batch
    np.testing.assert_allclose(result.scores, [1.0, -0.3, -0.6, -0.6, -1.0])
    assert result.components == {"coderl": result.scores}
    np.testing.assert_array_equal(result.valid, [True, True, True, True, False])
    verdicts = [scorer.verdict_for(s, c) for s, c in zip(batch.samples, batch.contexts)]
    assert [v.outcome for v in verdicts] == ["passed", "failed", "runtime_error", "runtime_error", "compile_error"]
    assert verdicts[1].tests == (False, True, True, False, True, True, False)
    assert verdicts[2].error_type == "ZeroDivisionError"
    assert (verdicts[3].execution_status, verdicts[3].error_type) == ("timeout", "Timeout")  # a timeout is a runtime error
    assert verdicts[4].error_type == "SyntaxError" and "line 8" in verdicts[4].error_message
    # the syntax error was caught by the parser: only four programs reached the sandbox
    assert scorer.executions == 4


def test_rltf_and_pass_rate_of_the_same_verdicts(sandbox_batch):
    scorer, batch, _ = sandbox_batch
    verdicts = [scorer.verdict_for(s, c) for s, c in zip(batch.samples, batch.contexts)]
    assert [rltf_reward(v) for v in verdicts] == pytest.approx([1.0, -0.3 + 1.3 * 4 / 7, -0.6, -0.6, -1.0])
    assert [pass_rate_reward(v) for v in verdicts] == pytest.approx([1.0, 4 / 7, 0.0, 0.0, 0.0])
    assert verdicts[1].info()["tests_passed"] == 4 and verdicts[1].info()["num_tests"] == 7


def test_repeated_programs_are_memoised_not_rerun(sandbox_batch):
    scorer, batch, first = sandbox_batch
    before = scorer.executions
    again = scorer(batch)
    np.testing.assert_array_equal(again.scores, first.scores)
    assert scorer.executions == before


def test_invalid_samples_are_compile_errors_without_execution():
    scorer = SandboxReward("rltf")
    batch = SampleBatch(samples=[""], contexts=[RUNNING_MAX], valid=np.array([False]))
    result = scorer(batch)
    assert result.scores.tolist() == [-1.0] and not result.valid[0]
    assert scorer.verdict_for("", RUNNING_MAX).error_type == "InvalidSample"
    assert scorer.executions == 0


def test_sandbox_reward_validates_limits():
    with pytest.raises(ValueError, match="timeout"):
        SandboxReward(timeout=0)
    with pytest.raises(ValueError, match="memory_mb"):
        SandboxReward(memory_mb=8)


# ---------------------------------------------------------------------------- CodeDSL


@pytest.fixture(scope="module")
def dsl_task():
    return generate_task(np.random.default_rng(5), max_statements=2)


def test_dsl_reference_program_passes(dsl_task):
    v = dsl_verdict(" ".join(dsl_task.program_tokens), dsl_task)
    assert v.outcome == "passed" and all(v.tests) and len(v.tests) == 5


def test_dsl_outcomes_map_onto_coderl_classes():
    task = generate_task(np.random.default_rng(0), max_statements=1)
    assert dsl_verdict("MAP (+1)", task).outcome == "compile_error"  # does not parse
    assert dsl_verdict("MAP (+1)", task).error_type == "DSLSyntaxError"
    empty_input_task = DSLTask(examples=(([1, 2], 1), ([-1, -2], -1)), program_tokens=("HEAD", "a"))
    none = dsl_verdict("FILTER (>0) a HEAD b", empty_input_task)  # HEAD of [] on the second example
    assert (none.outcome, none.error_type, none.tests) == ("runtime_error", "NoneOutput", (True, False))
    wrong = dsl_verdict("LAST a", empty_input_task)
    assert (wrong.outcome, wrong.tests) == ("failed", (False, False))
    assert dsl_verdict(["HEAD", "a"], empty_input_task).outcome == "passed"


def test_dsl_reward_scores_batches_with_every_reward_name(dsl_task):
    reference = " ".join(dsl_task.program_tokens)
    batch = SampleBatch(samples=[reference, "SORT"], contexts=[dsl_task, dsl_task])
    for name, expected_bad in (("pass_rate", 0.0), ("coderl", -1.0), ("rltf", -1.0)):
        result = DSLReward(name, max_statements=2)(batch)
        assert result.scores.tolist() == [1.0, expected_bad]
        assert result.valid.tolist() == [True, False]
