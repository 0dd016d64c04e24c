"""The shipped CodeDSL program prior: it loads, writes programs, and models the task generator."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from genenvs.code import dsl
from genenvs.code.data.train_dsl_prior import CORPUS_HEAD, legal_masks, sha256_of, uniform_nll
from genenvs.code.tasks import DSL_PRIOR_PATH, PRIOR_TRAINING_SEED, CodeDSLTask
from genenvs.core.reference_lm import RecurrentLM, evaluate_nll

REBUILD = "rebuild it with: OMP_NUM_THREADS=1 python -m genenvs.code.data.train_dsl_prior"


@pytest.fixture(scope="module")
def task() -> CodeDSLTask:
    return CodeDSLTask()


@pytest.fixture(scope="module")
def prior(task) -> RecurrentLM:
    return RecurrentLM.load(task.reference_model_path())


def test_the_task_ships_the_prior_with_its_checksum(task, prior):
    path = Path(task.reference_model_path())
    assert path == DSL_PRIOR_PATH and path.stat().st_size <= 2_000_000
    assert prior.config.vocab_size == len(task.vocab) == len(dsl.VOCAB)
    report = json.loads(path.with_suffix(".json").read_text())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == report["sha256"], f"dsl_prior.pt does not match dsl_prior.json; {REBUILD}"


def test_the_prior_was_fitted_to_the_current_generator(task, prior):
    head, _ = task.program_corpus(CORPUS_HEAD, PRIOR_TRAINING_SEED)
    assert sha256_of(head) == prior.metadata["corpus_head_sha256"], f"the task generator now draws other programs from seed {PRIOR_TRAINING_SEED}; {REBUILD}"


def test_program_corpus_is_padded_and_deterministic(task):
    ids, lengths = task.program_corpus(200, seed=5)
    again, _ = task.program_corpus(200, seed=5)
    assert ids.shape == (200, task.max_length) and np.array_equal(ids, again)
    assert lengths.min() >= 2 and lengths.max() <= task.max_length
    beyond = np.arange(task.max_length)[None, :] >= lengths[:, None]
    assert np.all(ids[beyond] == task.vocab.pad_id)
    for row, k in zip(ids[:20], lengths[:20], strict=True):
        dsl.parse(row[:k], task.max_statements)  # every program of the corpus parses


def test_samples_without_the_grammar_mask_are_mostly_programs(task, prior):
    ids, lengths = prior.sample(500, task.max_length, generator=torch.Generator().manual_seed(0))
    valid = 0
    for row, k in zip(ids, lengths, strict=True):
        try:
            dsl.parse(row[:k], task.max_statements)
            valid += 1
        except dsl.DSLSyntaxError:
            pass
    assert valid / len(ids) >= 0.95


def test_held_out_nll_is_far_below_uniform(task, prior):
    ids, lengths = task.program_corpus(500, seed=123)  # the shipped prior saw seed 0
    nll = evaluate_nll(prior, ids, lengths)
    uniform = uniform_nll(lengths, None, len(task.vocab))
    uniform_legal = uniform_nll(lengths, legal_masks(ids, lengths, task.max_statements), len(task.vocab))
    assert nll < 0.4 * uniform, (nll, uniform)
    assert nll < uniform_legal - 0.5, (nll, uniform_legal)  # better than the grammar alone
    assert math.isfinite(nll)


def test_policies_start_from_the_prior(task, prior):
    from baselines.common.policy import SequencePolicy

    policy = SequencePolicy.from_task(task)
    for name, tensor in prior.state_dict().items():
        assert torch.equal(policy.lm.state_dict()[name], tensor), name


def test_the_prior_baseline_samples_it_on_codedsl(tmp_path):
    from baselines.train import run

    result = run("CodeDSL-v0", "prior", seed=0, budget=128, out=tmp_path, device="cpu")
    assert result["metrics"]["validity_last"] == 1.0  # grammar-masked: every program parses
    assert (tmp_path / "checkpoint.pt").exists()
