"""The two code tasks: Python function bodies (CodeGen-v0) and CodeDSL programs (CodeDSL-v0).

* :class:`CodeGenTask`: write the body of a Python function from its signature and
  docstring, token by token in the Python vocabulary of :mod:`genenvs.code.vocab`; the
  finished body runs against the problem's hidden unit tests in the sandbox.
* :class:`CodeDSLTask`: write a CodeDSL program (Balog et al., 2017) that reproduces a
  handful of input/output examples drawn from a seed; a grammar mask keeps every prefix
  completable, and the program runs in the DSL's own interpreter.

Both score a finished program with an :class:`~genenvs.code.rewards.ExecutionReward`
(``reward="coderl" | "rltf" | "pass_rate"``) and put the per-test outcomes and the error
type in the episode's final ``info``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from gymnasium import spaces

from genenvs.code import dsl
from genenvs.code.dsl_tasks import DSLTask, encode_examples, examples_space, generate_task
from genenvs.code.problems import DIFFICULTIES, SPLITS, Problem, full_program, load_problems, problem_prompt
from genenvs.code.rewards import DSLReward, ExecutionReward, SandboxReward, check_reward_name
from genenvs.code.vocab import VOCAB_PATH, load_python_vocab
from genenvs.core.task import Context, TokenTask
from genenvs.core.vocab import Vocabulary

#: The shipped CodeDSL program prior and the corpus it was fitted to (``training_data``).
DSL_PRIOR_PATH = Path(__file__).resolve().parent / "data" / "dsl_prior.pt"
PRIOR_TRAINING_PROGRAMS = 50_000
PRIOR_TRAINING_SEED = 0

#: Problem subsets: ``"test"`` is every fifth problem in id order, ``"train"`` the rest.
SUBSETS = ("all", "train", "test")
TEST_EVERY = 5


def _verdict_info(scorer: ExecutionReward, sample: Any, payload: Any) -> dict[str, Any]:
    verdict = scorer.verdict_for(sample, payload)
    return verdict.info() if verdict is not None else {}


# ======================================================================================
# CodeGen: Python function bodies
# ======================================================================================


def select_problems(
    problems: str = "bundled",
    split: str = "all",
    difficulty: str | Sequence[str] | None = None,
    problem_ids: Sequence[str] | None = None,
) -> list[Problem]:
    """The problems an environment draws from; the filters combine (logical and).

    Args:
        problems: the problem set, ``"bundled"`` (127 problems shipped with genenvs) or
            ``"humaneval"`` (needs ``pip install genenvs[humaneval]``).
        split: ``"all"``, ``"train"`` or ``"test"``; ``"test"`` holds every fifth problem
            of the set in id order (26 bundled problems, spread over the difficulties).
        difficulty: one of ``"easy"``, ``"medium"``, ``"hard"``, a list of them, or None.
        problem_ids: restrict to these ids (e.g. ``["genenvs/000"]``).
    """
    if problems not in SPLITS:
        raise ValueError(f"unknown problem set {problems!r}; valid problem sets: {SPLITS}")
    if split not in SUBSETS:
        raise ValueError(f"unknown split {split!r}; valid splits: {SUBSETS}")
    chosen = load_problems(problems)
    if split != "all":
        chosen = [p for k, p in enumerate(chosen) if (k % TEST_EVERY == 0) == (split == "test")]
    if difficulty is not None:
        wanted = {difficulty} if isinstance(difficulty, str) else set(difficulty)
        unknown = wanted - set(DIFFICULTIES) - {"unrated"}
        if unknown:
            raise ValueError(f"unknown difficulty {sorted(unknown)}; valid difficulties: {DIFFICULTIES}")
        chosen = [p for p in chosen if p.difficulty in wanted]
    if problem_ids is not None:
        ids = [problem_ids] if isinstance(problem_ids, str) else list(problem_ids)
        known = {p.id for p in load_problems(problems)}
        unknown_ids = [i for i in ids if i not in known]
        if unknown_ids:
            raise ValueError(f"unknown problem ids {unknown_ids[:5]} in the {problems!r} set")
        chosen = [p for p in chosen if p.id in set(ids)]
    if not chosen:
        raise ValueError(
            f"no problem matches problems={problems!r}, split={split!r}, difficulty={difficulty!r}, problem_ids={problem_ids!r}"
        )
    return chosen


@functools.cache
def default_lengths(problem_set: str) -> tuple[int, int]:
    """Default ``(max_length, max_prompt_length)`` of a problem set.

    The longest reference body (``<end>`` included) and the longest prompt of the whole
    set, each rounded up to a multiple of 32: every reference fits, every prompt is
    whole. For the bundled set: (480, 256), recorded in ``data/python_vocab.json`` by the
    build script; for HumanEval: (480, 736).
    """
    if problem_set == "bundled":
        spec = json.loads(VOCAB_PATH.read_text())
        return int(spec["max_length"]), int(spec["max_prompt_length"])
    vocab = load_python_vocab()
    problems = load_problems(problem_set)
    longest_body = max(len(vocab.encode_body(p.reference_solution)) for p in problems)
    longest_prompt = max(len(vocab.encode_text(problem_prompt(p))) for p in problems)
    return _round_up(longest_body + 1, 32), _round_up(longest_prompt, 32)


def _round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


class CodeGenTask(TokenTask):
    """Write the body of a Python function; hidden unit tests score it (CodeRL's setting).

    Args:
        problems, split, difficulty, problem_ids: which problems episodes draw from
            (uniformly), see :func:`select_problems`.
        reward: ``"coderl"`` (default), ``"rltf"`` or ``"pass_rate"``
            (:mod:`genenvs.code.rewards`).
        max_length: tokens per body; the default (480) fits every reference solution
            of the problem set (:func:`default_lengths`).
        max_prompt_length: tokens of the prompt observation (longer prompts are cut);
            the default fits every prompt of the set (256 bundled, 736 HumanEval).
        timeout, memory_mb, max_workers, allow_unsandboxed: sandbox settings, see
            :class:`~genenvs.code.rewards.SandboxReward`.
    """

    name = "codegen"
    version = "1"
    accepts_text = True

    def __init__(
        self,
        problems: str = "bundled",
        split: str = "all",
        difficulty: str | Sequence[str] | None = None,
        problem_ids: Sequence[str] | None = None,
        reward: str = "coderl",
        max_length: int | None = None,
        max_prompt_length: int | None = None,
        timeout: float = 2.0,
        memory_mb: int = 256,
        max_workers: int | None = None,
        allow_unsandboxed: bool = False,
    ) -> None:
        check_reward_name(reward)
        self.problems = select_problems(problems, split, difficulty, problem_ids)
        self.problem_set, self.split, self.difficulty = problems, split, difficulty
        self.problem_ids = None if problem_ids is None else ([problem_ids] if isinstance(problem_ids, str) else list(problem_ids))
        self.vocab = load_python_vocab()
        default_length, default_prompt_length = default_lengths(problems)
        self.max_length = _positive("max_length", default_length if max_length is None else max_length)
        self.max_prompt_length = _positive("max_prompt_length", default_prompt_length if max_prompt_length is None else max_prompt_length)
        self.max_text_length = 8 * self.max_length
        V = len(self.vocab)
        self.context_space = spaces.Box(0, V, shape=(self.max_prompt_length,), dtype=np.int64)
        self.scorer = SandboxReward(reward, timeout, memory_mb, max_workers, allow_unsandboxed)
        self._prompts = {p.id: self._encode_prompt(p) for p in self.problems}

    def _encode_prompt(self, problem: Problem) -> np.ndarray:
        ids = self.vocab.encode_text(problem_prompt(problem))[: self.max_prompt_length]
        padded = np.full(self.max_prompt_length, self.vocab.pad_id, dtype=np.int64)
        padded[: len(ids)] = ids
        return padded

    # ------------------------------------------------------------------ identity
    def params(self) -> dict[str, Any]:
        return {
            "problems": self.problem_set,
            "split": self.split,
            "difficulty": self.difficulty,
            "problem_ids": self.problem_ids,
            "max_prompt_length": self.max_prompt_length,
        }

    def data_checksums(self) -> dict[str, str]:
        from genenvs.code.problems import bundled_checksum

        checksums = {"python_vocab.json": self.vocab.data_checksum()}
        if self.problem_set == "bundled":
            checksums["problems.json"] = bundled_checksum()
        else:
            digest = hashlib.sha256("\n".join(f"{p.id}\n{p.prompt}\n{p.tests}" for p in self.problems).encode())
            checksums["humaneval"] = digest.hexdigest()[:16]
        return checksums

    # ------------------------------------------------------------------ problems
    def context_for(self, problem: Problem | str) -> Context:
        """The context of one problem (a ``Problem`` or its id), for ``reset(options={"context": ...})``."""
        if isinstance(problem, str):
            matches = [p for p in self.problems if p.id == problem]
            if not matches:
                raise ValueError(f"problem {problem!r} is not among this environment's {len(self.problems)} problems")
            problem = matches[0]
        prompt = self._prompts.get(problem.id)
        if prompt is None:
            prompt = self._encode_prompt(problem)
        length = int(np.sum(prompt != self.vocab.pad_id))
        return Context(observation=prompt, payload=problem, prefix=prompt[:length].copy())

    def sample_context(self, rng: np.random.Generator) -> Context:
        return self.context_for(self.problems[int(rng.integers(len(self.problems)))])

    def context_to_json(self, context: Context) -> Any:
        """A problem of this task's set is stored as its id (records stay small; ids cannot invent problems)."""
        problem = context.payload
        if any(p is problem for p in self.problems):
            return {"problem_id": problem.id}
        return super().context_to_json(context)

    def context_from_json(self, data: Any) -> Context:
        if isinstance(data, dict) and set(data) == {"problem_id"}:
            return self.context_for(str(data["problem_id"]))
        return super().context_from_json(data)

    # ------------------------------------------------------------------ decoding
    def decode(self, ids: np.ndarray, context: Context) -> tuple[str, bool]:
        return self.vocab.decode_body(ids), True

    def encode(self, sample: str, context: Context | None = None) -> np.ndarray:
        """Ids of a function body (``str``), ending with ``<end>``; ``ValueError`` if it cannot be written."""
        ids = self.vocab.encode_body(sample)
        if len(ids) > self.max_length:
            raise ValueError(f"the body needs {len(ids)} tokens, more than max_length={self.max_length}")
        return np.append(ids, self.vocab.end_id)

    # ------------------------------------------------------------------ display and info
    def describe_context(self, context: Context) -> str:
        problem = context.payload
        return "" if problem is None else f"# {problem.id} ({problem.difficulty})\n{problem_prompt(problem).rstrip()}"

    def render_text(self, sample: Any, partial_ids: np.ndarray, context: Context) -> str:
        return (sample if sample is not None else self.vocab.decode_body(partial_ids)).rstrip("\n")

    def episode_info(self, sample: str, context: Context) -> dict[str, Any]:
        problem = context.payload
        info = _verdict_info(self.scorer, sample, problem)
        info["problem_id"] = problem.id
        info["program"] = full_program(problem, sample)
        return info


def _positive(name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


# ======================================================================================
# CodeDSL: programming by example
# ======================================================================================


class CodeDSLTask(TokenTask):
    """Synthesise a CodeDSL program from input/output examples (DeepCoder's setting).

    Args:
        max_statements: most statements a program may have; also the largest hidden
            program drawn. Default 2, small enough for a small agent to learn on a CPU.
        min_statements: fewest statements of a hidden program.
        num_examples: examples per task (the "tests").
        max_input_length: longest input list; lists in observations are padded to it.
        value_range: range of input values.
        reward: ``"pass_rate"`` (default), ``"rltf"`` or ``"coderl"``.
    """

    name = "codedsl"
    version = "1"
    accepts_text = True
    has_grammar_mask = True

    def __init__(
        self,
        max_statements: int = 2,
        min_statements: int = 1,
        num_examples: int = 5,
        max_input_length: int = 10,
        value_range: tuple[int, int] = (-20, 20),
        reward: str = "pass_rate",
    ) -> None:
        check_reward_name(reward)
        if not 1 <= min_statements <= max_statements <= dsl.MAX_STATEMENTS:
            raise ValueError(
                f"need 1 <= min_statements <= max_statements <= {dsl.MAX_STATEMENTS}, "
                f"got min_statements={min_statements}, max_statements={max_statements}"
            )
        self.max_statements = int(max_statements)
        self.min_statements = int(min_statements)
        self.num_examples = int(num_examples)
        self.max_input_length = int(max_input_length)
        self.value_range = (int(value_range[0]), int(value_range[1]))
        generate_task(np.random.default_rng(0), self.max_statements, self.num_examples, min_statements=self.min_statements,
                      max_input_length=self.max_input_length, value_range=self.value_range)  # validates the settings
        self.vocab = Vocabulary(dsl.VOCAB)
        # The longest program (max_statements ZIPWITH statements) fills the buffer exactly.
        self.max_length = dsl.max_program_length(self.max_statements) - 1
        self.max_text_length = 16 * self.max_length
        self.context_space = examples_space(self.num_examples, self.max_input_length)
        self.scorer = DSLReward(reward, self.max_statements)

    def params(self) -> dict[str, Any]:
        return {
            "max_statements": self.max_statements,
            "min_statements": self.min_statements,
            "num_examples": self.num_examples,
            "max_input_length": self.max_input_length,
            "value_range": list(self.value_range),
        }

    # ------------------------------------------------------------------ problems
    def context_for(self, task: DSLTask) -> Context:
        """The context of a given :class:`~genenvs.code.dsl_tasks.DSLTask`."""
        return Context(observation=encode_examples(task, self.max_input_length), payload=task)

    def sample_context(self, rng: np.random.Generator) -> Context:
        task = generate_task(rng, self.max_statements, self.num_examples, min_statements=self.min_statements,
                             max_input_length=self.max_input_length, value_range=self.value_range)
        return self.context_for(task)

    def context_to_json(self, context: Context) -> Any:
        """The generated task as plain JSON lists (``json`` writes them natively: this runs every episode)."""
        task = context.payload
        return {"examples": task.examples, "program": task.program_tokens}

    def context_from_json(self, data: Any) -> Context:
        if not (isinstance(data, dict) and set(data) == {"examples", "program"}):
            raise ValueError(f"a stored CodeDSL context needs 'examples' and 'program', got {data!r:.200}")
        examples = tuple((list(inputs), output) for inputs, output in data["examples"])
        return self.context_for(DSLTask(examples=examples, program_tokens=tuple(data["program"])))

    # ------------------------------------------------------------------ reference generator
    def program_corpus(self, num_programs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """The hidden programs of ``num_programs`` tasks drawn as episodes draw them.

        Returns ``(ids (N, max_length) padded with V, lengths)`` without ``<end>``: the
        corpus of a program prior that ignores the examples (DeepCoder's prior over
        programs, before conditioning).
        """
        from genenvs.core.reference_lm import pad_sequences

        rng = np.random.default_rng(seed)
        programs = [dsl.tokens_to_ids(self.sample_context(rng).payload.program_tokens) for _ in range(num_programs)]
        return pad_sequences(programs, self.vocab.pad_id, self.max_length)

    def training_data(self) -> tuple[np.ndarray, np.ndarray]:
        """Programs of generated tasks (:data:`PRIOR_TRAINING_PROGRAMS`, seed :data:`PRIOR_TRAINING_SEED`)."""
        return self.program_corpus(PRIOR_TRAINING_PROGRAMS, PRIOR_TRAINING_SEED)

    def reference_model_path(self) -> str:
        """The shipped program prior (``python -m genenvs.code.data.train_dsl_prior``).

        It was fitted to programs of the default settings (1 or 2 statements); the
        vocabulary is the same for every setting, so it also starts policies for larger
        ``max_statements``, where the grammar mask lets them write longer programs. It
        affects no reward, so it is not part of the environment's provenance.
        """
        return str(DSL_PRIOR_PATH)

    # ------------------------------------------------------------------ decoding
    def decode(self, ids: np.ndarray, context: Context) -> tuple[str, bool]:
        # The scorer parses the program and calls a failure a compile error (with the
        # parser's message); ``info["valid"]`` then says whether the program parsed.
        return " ".join(self.vocab.symbols(ids)), True

    def encode(self, sample: Any, context: Context | None = None) -> np.ndarray:
        """Ids of a program (``Program``, token list, token string or line form), ending with ``<end>``.

        Raises :class:`~genenvs.code.dsl.DSLSyntaxError` (a ``ValueError``) naming the problem.
        """
        program = sample if isinstance(sample, dsl.Program) else dsl.parse(sample, self.max_statements)
        if len(program) > self.max_statements:
            raise ValueError(f"the program has {len(program)} statements, more than max_statements={self.max_statements}")
        return program.ids(end=True)

    def action_mask(self, tokens: np.ndarray, lengths: np.ndarray, contexts: list[Context]) -> np.ndarray:
        # Replays the buffers through the compiled automaton (a table lookup per column);
        # the engine itself advances grammar_state token by token instead.
        return dsl.prefix_masks(tokens, lengths, self.max_statements)

    def grammar_state(self, num_rows: int) -> dsl.MaskState:
        return dsl.MaskState(num_rows, self.max_statements)

    # ------------------------------------------------------------------ display and info
    def describe_context(self, context: Context) -> str:
        task = context.payload
        if task is None:
            return ""
        return "\n".join(f"{inputs} -> {output}" for inputs, output in task.examples)

    def render_text(self, sample: Any, partial_ids: np.ndarray, context: Context) -> str:
        text = sample if sample is not None else " ".join(self.vocab.symbols(partial_ids))
        try:
            return dsl.to_text(dsl.parse(text, self.max_statements))
        except dsl.DSLSyntaxError:
            return f"a: [int]\n{text}"

    def episode_info(self, sample: str, context: Context) -> dict[str, Any]:
        task = context.payload
        info = _verdict_info(self.scorer, sample, task)
        info["reference_program"] = " ".join(task.program_tokens)
        return info


__all__ = ["DSL_PRIOR_PATH", "SUBSETS", "CodeDSLTask", "CodeGenTask", "select_problems"]
