"""CodeDSL: semantics, parsing errors, grammar masks, and the task generator."""

from __future__ import annotations

import re

import numpy as np
import pytest

from genenvs.code.dsl import (
    END_ID,
    INT_MAX,
    INT_MIN,
    MAX_STATEMENTS,
    TOKEN_ID,
    VOCAB,
    DSLSyntaxError,
    Kind,
    MaskState,
    Program,
    Statement,
    max_program_length,
    parse,
    prefix_masks,
    to_text,
    valid_next_tokens,
)
from genenvs.code.dsl_tasks import (
    PAD_VALUE,
    TYPE_INT,
    TYPE_LIST,
    TYPE_NULL,
    DSLTask,
    check,
    encode_examples,
    encode_value,
    examples_space,
    generate_task,
    pass_rate,
)

# ------------------------------------------------------------------------------------
# semantics
# ------------------------------------------------------------------------------------

RUNS = [
    # the example program of Balog et al. (2017), DeepCoder, Figure 1
    ("FILTER (<0) a MAP (*4) b SORT c REVERSE d", [-17, -3, 4, 11, 0, -5, -9, 13, 6, 6, -8, 11],
     [-12, -20, -32, -36, -68]),
    ("FILTER (>0) a MAP (*2) b", [1, -2, 3], [2, 6]),
    ("HEAD a", [5, 1], 5),
    ("HEAD a", [], None),
    ("LAST a", [5, 1], 1),
    ("HEAD a TAKE b a", [2, 7, 8, 9], [2, 7]),
    ("HEAD a DROP b a", [2, 7, 8, 9], [8, 9]),
    ("MINIMUM a TAKE b a", [-1, 3], []),  # negative counts take nothing
    ("MINIMUM a DROP b a", [-1, 3], [-1, 3]),
    ("HEAD a ACCESS b a", [1, 9], 9),
    ("HEAD a ACCESS b a", [5, 1], None),  # out of range
    ("MINIMUM a ACCESS b a", [-1, 4], None),  # negative index is out of range too
    ("MINIMUM a", [], None),
    ("MAXIMUM a", [3, 9, -1], 9),
    ("REVERSE a", [1, 2, 3], [3, 2, 1]),
    ("SORT a", [3, -1, 2, -1], [-1, -1, 2, 3]),
    ("SUM a", [], 0),
    ("SUM a", [200, 100], INT_MAX),  # clipped
    ("MAP (**2) a", [20, -3], [INT_MAX, 9]),
    ("MAP (*(-1)) a MAP (*4) b", [-100, 70], [INT_MAX, INT_MIN]),
    ("MAP (/2) a", [-3, 3, 0], [-2, 1, 0]),  # floor division
    ("MAP (/3) a", [-1, 7], [-1, 2]),
    ("MAP (+1) a MAP (-1) b", [4], [4]),
    ("FILTER (%2==1) a", [-3, -2, 1, 0], [-3, 1]),
    ("FILTER (%2==0) a", [-3, -2, 1, 0], [-2, 0]),
    ("COUNT (<0) a", [-1, -2, 3], 2),
    ("REVERSE a ZIPWITH (-) a b", [1, 2, 4], [-3, 0, 3]),
    ("FILTER (>0) a ZIPWITH (*) a b", [2, -1, 3], [4, -3]),  # as long as the shorter list
    ("SCANL1 (+) a", [1, 2, 3], [1, 3, 6]),
    ("SCANL1 (-) a", [10, 1, 2], [10, 9, 7]),
    ("SCANL1 (MAX) a", [1, 3, 2], [1, 3, 3]),
    ("SCANL1 (MIN) a", [], []),
    ("SCANL1 (*) a", [10, 10, 10, -1], [10, 100, INT_MAX, -INT_MAX]),  # clipped at every step
    ("HEAD a TAKE b a", [], None),  # None propagates
    ("HEAD a COUNT (>0) a", [], 0),  # ...but only through the variables that use it
]


@pytest.mark.parametrize(("source", "inputs", "expected"), RUNS)
def test_programs_compute_the_documented_outputs(source, inputs, expected):
    assert parse(source).run(inputs) == expected


def test_trace_and_output_type():
    program = parse("FILTER (>0) a COUNT (>0) b")
    assert program.trace([1, -1, 2]) == [[1, -1, 2], [1, 2], 2]
    assert program.output_type == Kind.INT
    assert parse("SORT a").output_type == Kind.LIST
    assert len(program) == 2


def test_run_rejects_inputs_outside_the_language():
    program = parse("SORT a")
    with pytest.raises(TypeError, match="list of ints"):
        program.run([1.5])
    with pytest.raises(ValueError, match=r"outside the DSL's integer range \[-256, 255\]"):
        program.run([300])
    assert program.run(np.array([3, 1])) == [1, 3]


# ------------------------------------------------------------------------------------
# tokens and parsing
# ------------------------------------------------------------------------------------


def test_vocabulary_layout():
    assert VOCAB[0] == "<end>" and END_ID == 0
    assert len(set(VOCAB)) == len(VOCAB) == 44
    assert VOCAB[TOKEN_ID["ZIPWITH"]] == "ZIPWITH"
    assert max_program_length(3) == 13 and max_program_length() == 4 * MAX_STATEMENTS + 1


def test_all_program_forms_parse_to_the_same_program():
    program = parse("FILTER (%2==0) a HEAD b TAKE c a")
    assert program.statements == (
        Statement("FILTER", ("(%2==0)", "a")), Statement("HEAD", ("b",)), Statement("TAKE", ("c", "a"))
    )
    text = to_text(program)
    assert text == "a: [int]\nb = FILTER (%2==0) a\nc = HEAD b\nd = TAKE c a"
    assert parse(text) == program
    assert parse(program.tokens()) == program
    assert parse(program.tokens(end=True) + ["<end>"]) == program  # end padding is fine
    assert parse(program.ids()) == program
    assert parse(program.ids().tolist()) == program
    assert parse("# keep the even items\nb = FILTER (%2==0) a  # evens\nc = HEAD b\nd = TAKE c a") == program
    assert program.ids()[-1] == END_ID and program.ids(end=False).size == 8


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty program"),
        ("<end>", "at least one statement"),
        ("a", "expected a function or <end> to start statement 1"),
        ("MAP a", "expected a unary lambda such as (+1) as argument 1 of MAP"),
        ("MAP (>0) a", "expected a unary lambda"),
        ("FILTER (+1) a", "expected a predicate"),
        ("ZIPWITH (>0) a a", "expected a binary lambda"),
        ("MAP (+1)", "statement 1 (MAP (+1)) is incomplete"),
        ("SORT a ZIPWITH (+) a", "ZIPWITH takes 3 argument"),
        ("TAKE", "TAKE takes an int variable and none is defined yet"),
        ("HEAD b", "variable b is not defined yet"),
        ("HEAD a MAP (+1) b", "b holds an int"),
        ("HEAD a TAKE a a", "argument 1 of TAKE, but a holds a list"),
        ("SORT a a", "token 'a' at position 2: expected a function or <end> to start statement 2"),
        ("FOO a", "unknown token 'FOO'"),
        ("HEAD a <end> HEAD a", "tokens after '<end>'"),
        ("c = HEAD a", "line 1 assigns 'c', but statement 1 defines 'b'"),
        ("b = HEAD a\nSORT a", "line 2 ('SORT a') is not of the form '<variable> = FUNCTION args'"),
    ],
)
def test_invalid_programs_raise_a_named_syntax_error(source, message):
    with pytest.raises(DSLSyntaxError, match=re.escape(message)):
        parse(source)


def test_syntax_errors_are_value_errors_and_ids_are_checked():
    with pytest.raises(ValueError):
        parse("SORT")
    with pytest.raises(DSLSyntaxError, match="token id 99 is outside the vocabulary"):
        parse([99])
    with pytest.raises(DSLSyntaxError, match="maximum of 2 statements"):
        parse("SORT a SORT b SORT c", max_statements=2)
    with pytest.raises(DSLSyntaxError, match="not defined yet"):
        Program((Statement("SORT", ("c",)),))


# ------------------------------------------------------------------------------------
# masks
# ------------------------------------------------------------------------------------


def _names(mask: np.ndarray) -> set[str]:
    return {VOCAB[i] for i in np.flatnonzero(mask)}


def test_masks_follow_the_grammar():
    functions = {"HEAD", "LAST", "MINIMUM", "MAXIMUM", "REVERSE", "SORT", "SUM", "MAP", "FILTER", "COUNT",
                 "ZIPWITH", "SCANL1"}
    assert _names(valid_next_tokens([])) == functions  # no <end>, no TAKE/DROP/ACCESS yet
    ids = parse("HEAD a").ids(end=False).tolist()
    assert _names(valid_next_tokens(ids)) == functions | {"<end>", "TAKE", "DROP", "ACCESS"}
    assert _names(valid_next_tokens(ids + [TOKEN_ID["TAKE"]])) == {"b"}  # the only int variable
    assert _names(valid_next_tokens(ids + [TOKEN_ID["TAKE"], TOKEN_ID["b"]])) == {"a"}  # the only list
    assert _names(valid_next_tokens([TOKEN_ID["FILTER"]])) == {"(>0)", "(<0)", "(%2==0)", "(%2==1)"}
    assert _names(valid_next_tokens([TOKEN_ID["SCANL1"]])) == {"(+)", "(-)", "(*)", "(MIN)", "(MAX)"}
    assert len(_names(valid_next_tokens([TOKEN_ID["MAP"]]))) == 10
    two = parse("SORT a SORT b").ids(end=False)
    assert _names(valid_next_tokens(two, max_statements=2)) == {"<end>"}
    assert _names(valid_next_tokens(parse("SORT a").ids(end=True))) == {"<end>"}  # finished: pad with end
    with pytest.raises(DSLSyntaxError):
        valid_next_tokens([TOKEN_ID["a"]])


def _random_walks(n: int, max_statements: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """``n`` walks taking uniformly random unmasked tokens; returns tokens, lengths, per-step masks."""
    rng = np.random.default_rng(seed)
    width = max_program_length(max_statements)
    tokens = np.full((n, width), END_ID, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    state = MaskState(n, max_statements)
    masks = []
    for t in range(width):
        mask = state.masks()
        masks.append(mask)
        assert mask.any(axis=1).all(), "a reachable state with no valid token"
        weights = mask.astype(float)
        weights[:, END_ID] *= 3.0  # ends about one statement in six
        cumulative = weights.cumsum(axis=1)
        u = rng.random(n) * cumulative[:, -1]
        choice = (cumulative <= u[:, None]).sum(axis=1)
        running = ~state.done
        tokens[running, t] = choice[running]
        lengths += running
        state.push(choice)
    assert state.done.all(), "a walk did not finish within max_program_length tokens"
    return tokens, lengths, masks


def test_random_masked_walks_always_parse():
    max_statements = 5
    tokens, lengths, masks = _random_walks(500, max_statements, seed=0)
    sizes = []
    for row, length in zip(tokens, lengths):
        assert row[length - 1] == END_ID
        program = parse(row[:length], max_statements=max_statements)
        assert 1 <= len(program) <= max_statements
        sizes.append(len(program))
        output = program.run([3, -1, 4, 1, -5, 9, 2, -6])
        assert output is None or isinstance(output, (int, list))
    assert set(sizes) == set(range(1, max_statements + 1))  # the walks reach every size


def test_scalar_and_batched_masks_agree_and_masks_are_exact():
    """Along 40 walks: the scalar mask equals the batched one, every unmasked token extends
    the prefix validly and every masked token is rejected."""
    tokens, lengths, masks = _random_walks(40, 3, seed=1)
    for row in range(40):
        for t in range(int(lengths[row])):
            prefix = tokens[row, :t].tolist()
            expected = valid_next_tokens(prefix, max_statements=3)
            np.testing.assert_array_equal(masks[t][row], expected)
            for token_id in range(len(VOCAB)):
                if expected[token_id]:
                    valid_next_tokens(prefix + [token_id], max_statements=3)
                else:
                    with pytest.raises(DSLSyntaxError):
                        valid_next_tokens(prefix + [token_id], max_statements=3)


def test_prefix_masks_replays_padded_buffers():
    tokens, lengths, _ = _random_walks(64, 4, seed=2)
    cut = np.minimum(lengths - 1, np.random.default_rng(3).integers(0, 12, size=64))
    buffer = np.where(np.arange(tokens.shape[1]) < cut[:, None], tokens, 45)  # 45 = pad id
    replayed = prefix_masks(buffer, cut, max_statements=4)
    for row in range(64):
        np.testing.assert_array_equal(replayed[row], valid_next_tokens(tokens[row, :cut[row]], max_statements=4))


def test_mask_state_rejects_illegal_tokens_and_resets_rows():
    state = MaskState(2, max_statements=2)
    state.push([TOKEN_ID["SORT"], TOKEN_ID["HEAD"]])
    with pytest.raises(DSLSyntaxError, match="argument 1 of SORT"):
        state.push([TOKEN_ID["(+1)"], TOKEN_ID["a"]])
    state.push([TOKEN_ID["a"], TOKEN_ID["a"]])
    assert state.num_statements.tolist() == [1, 1]
    state.push([TOKEN_ID["TAKE"], END_ID], active=np.array([False, True]))
    assert state.done.tolist() == [False, True]
    state.reset(np.array([False, True]))
    assert state.done.tolist() == [False, False] and state.num_statements.tolist() == [1, 0]
    with pytest.raises(ValueError, match="expects 2 token ids"):
        state.push([1])
    with pytest.raises(ValueError, match="max_statements must be between 1 and 8"):
        MaskState(1, max_statements=9)


# ------------------------------------------------------------------------------------
# tasks
# ------------------------------------------------------------------------------------


def test_generation_is_deterministic_under_a_seed():
    a = [generate_task(np.random.default_rng(7)) for _ in range(2)]
    assert a[0] == a[1]
    rng1, rng2 = np.random.default_rng(11), np.random.default_rng(11)
    assert [generate_task(rng1) for _ in range(20)] == [generate_task(rng2) for _ in range(20)]
    assert generate_task(np.random.default_rng(8)) != a[0]


def test_generated_tasks_are_non_degenerate_and_solved_by_their_reference():
    rng = np.random.default_rng(0)
    sizes = set()
    for _ in range(200):
        task = generate_task(rng, max_statements=4, num_examples=5, max_input_length=8, value_range=(-10, 10))
        program = task.program
        sizes.add(len(program))
        inputs = [inp for inp, _ in task.examples]
        outputs = [out for _, out in task.examples]
        assert len(task.examples) == 5
        assert len({tuple(i) for i in inputs}) == 5  # distinct inputs
        assert all(1 <= len(i) <= 8 and all(-10 <= x <= 10 for x in i) for i in inputs)
        assert all(out is not None for out in outputs)
        assert any(out != outputs[0] for out in outputs)  # not constant
        assert any(out != inp for inp, out in task.examples)  # not the identity
        assert check(task.program_tokens, task) == [True] * 5
        assert pass_rate(program, task) == 1.0
    assert sizes == {1, 2, 3, 4}


def test_pass_rate_scores_wrong_and_broken_programs():
    task = DSLTask(examples=(([1, -2, 3], [2, 6]), ([-1], []), ([4, 5], [8, 10])),
                   program_tokens=("FILTER", "(>0)", "a", "MAP", "(*2)", "b"))
    assert check("MAP (*2) a", task) == [False, False, True]
    assert pass_rate("MAP (*2) a", task) == pytest.approx(1 / 3)
    assert pass_rate(parse("FILTER (>0) a MAP (*2) b").ids(), task) == 1.0
    assert check("MAP (*2)", task) == [False, False, False]  # does not parse
    assert pass_rate([], task) == 0.0
    assert check("SUM a", DSLTask(examples=(([1], [1]),), program_tokens=("SORT", "a"))) == [False]  # 1 != [1]


def test_encode_examples_layout():
    task = DSLTask(examples=(([3, -1], [-1, 3]), ([5], 5), ([], None)), program_tokens=("SORT", "a"))
    encoded = encode_examples(task, max_len=4)
    assert encoded.shape == (3, 2, 6) and encoded.dtype == np.int64
    np.testing.assert_array_equal(encoded[0, 0], [TYPE_LIST, 2, 3, -1, PAD_VALUE, PAD_VALUE])
    np.testing.assert_array_equal(encoded[1, 1], [TYPE_INT, 1, 5, PAD_VALUE, PAD_VALUE, PAD_VALUE])
    np.testing.assert_array_equal(encoded[2, 1], [TYPE_NULL, 0] + [PAD_VALUE] * 4)
    assert examples_space(3, 4).contains(encoded)
    with pytest.raises(ValueError, match="does not fit max_len=1"):
        encode_value([1, 2], max_len=1)
    generated = generate_task(np.random.default_rng(5), num_examples=4)
    assert examples_space(4, 10).contains(encode_examples(generated, max_len=10))


def test_generator_arguments_are_validated():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="min_statements <= max_statements"):
        generate_task(rng, max_statements=0)
    with pytest.raises(ValueError, match="num_examples must be at least 2"):
        generate_task(rng, num_examples=1)
    with pytest.raises(ValueError, match="value_range"):
        generate_task(rng, value_range=(5, 5))
