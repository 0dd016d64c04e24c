"""Train the shipped CodeDSL program prior: a GRU language model over generated programs.

The corpus is ``CodeDSLTask().training_data()``: the hidden programs of 50,000 tasks drawn
exactly as CodeDSL-v0 episodes draw them (default settings: 1 or 2 statements, no dead
code, no statement invisible in the examples). The model ignores the examples: it is a
syntax-and-semantics prior over programs, the unconditional part of DeepCoder-style
program distributions (Balog et al., 2017), and the starting point that the baselines
fine-tune with RL (they add a projection of the examples to its initial state).

It writes ``dsl_prior.pt`` (weights, config, metadata) and ``dsl_prior.json``: training
curve, held-out negative log-likelihood (programs of 5,000 tasks of another seed) next to
three references (the training programs' frequencies, about the generator's entropy;
uniform over the 44 tokens; uniform over the tokens the grammar mask allows, i.e. the
``random`` baseline), the prior's NLL with the grammar mask applied (what a masked policy
samples from), the quality of 2,000 samples drawn *without* the mask, the checksums of the
corpus (all of it, and its first 1,000 programs, which a test recomputes) and the SHA-256
of the weights file.

Run:  OMP_NUM_THREADS=1 python -m genenvs.code.data.train_dsl_prior [--epochs 6] [--device cpu]
(about a minute of one CPU core: 15 s to draw the corpus, 50 s to train).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from genenvs.code import dsl
from genenvs.code.tasks import DSL_PRIOR_PATH, PRIOR_TRAINING_PROGRAMS, PRIOR_TRAINING_SEED, CodeDSLTask
from genenvs.core.reference_lm import LMConfig, RecurrentLM, evaluate_nll, fit_lm, state_bytes

COMMAND = "OMP_NUM_THREADS=1 python -m genenvs.code.data.train_dsl_prior"
TEST_PROGRAMS = 5_000
TEST_SEED = 1
NUM_SAMPLES = 2_000
#: The first programs of the corpus, whose checksum a test recomputes in a fraction of a
#: second: it changes if the task generator draws differently from a seed, and then the
#: prior must be rebuilt.
CORPUS_HEAD = 1_000


def legal_masks(ids: np.ndarray, lengths: np.ndarray, max_statements: int) -> np.ndarray:
    """``(N, L + 1, V)`` grammar masks at every position of padded programs (end position included)."""
    n, L = ids.shape
    state = dsl.MaskState(n, max_statements)
    masks = np.zeros((n, L + 1, len(dsl.VOCAB)), dtype=bool)
    for t in range(L + 1):
        masks[:, t] = state.masks()
        if t < L:
            active = t < lengths
            state.push(np.where(active, ids[:, t], dsl.END_ID), active=active)
    return masks


def frequency_nll(train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]) -> float:
    """Mean NLL per program of the training programs' frequencies (add-one smoothed; programs
    never seen in training share one extra count): about the entropy of the generator's
    program distribution, which no model of it can beat by much."""
    counts: dict[tuple[int, ...], int] = {}
    for row, k in zip(*train, strict=True):
        key = tuple(row[:k].tolist())
        counts[key] = counts.get(key, 0) + 1
    total = len(train[0]) + len(counts) + 1
    nll = [-math.log((counts.get(tuple(row[:k].tolist()), 0) + 1) / total) for row, k in zip(*test, strict=True)]
    return float(np.mean(nll))


def uniform_nll(lengths: np.ndarray, masks: np.ndarray | None, vocab_size: int) -> float:
    """Mean NLL per program of a model uniform over all tokens (``masks=None``) or over the legal ones."""
    if masks is None:
        return float(np.mean((lengths + 1) * math.log(vocab_size)))
    live = np.arange(masks.shape[1])[None, :] <= lengths[:, None]
    return float(np.mean((np.log(masks.sum(-1)) * live).sum(1)))


@torch.no_grad()
def masked_nll(model: RecurrentLM, ids: np.ndarray, lengths: np.ndarray, masks: np.ndarray) -> float:
    """Mean NLL per program of the prior renormalised over the legal tokens (how a masked policy samples it)."""
    V = model.config.vocab_size
    x = torch.as_tensor(ids)
    n = torch.as_tensor(lengths)
    B, L = x.shape
    positions = torch.arange(L + 1)[None, :]
    seq = torch.cat([x.clamp(max=V), torch.full((B, 1), V)], dim=1)
    targets = torch.where(positions < n[:, None], seq, torch.zeros_like(seq))
    inputs = torch.cat([torch.full((B, 1), V), seq[:, :-1]], dim=1)
    logits, _ = model(inputs)
    logits = logits.masked_fill(~torch.as_tensor(masks), float("-inf"))
    logp = F.log_softmax(logits, -1).gather(-1, targets.clamp(max=V - 1)[..., None])[..., 0]
    return float(-(logp * (positions <= n[:, None])).sum(1).mean())


def sample_quality(ids: np.ndarray, lengths: np.ndarray, max_statements: int, training: set[tuple[int, ...]]) -> dict[str, float]:
    """Of unmasked samples: the fraction that parse (the parser checks types too), have no dead
    code, are distinct, and are absent from the training corpus; the mean statement count."""
    programs = []
    for row, k in zip(ids, lengths, strict=True):
        try:
            programs.append(dsl.parse(row[:k], max_statements))
        except dsl.DSLSyntaxError:
            continue
    keys = [tuple(p.ids(end=False).tolist()) for p in programs]
    n = len(ids)
    return {
        "valid": len(programs) / n,
        "no_dead_code": sum(_uses_every_variable(p) for p in programs) / n,
        "unique": len(set(keys)) / n,
        "novel_among_valid": sum(k not in training for k in keys) / max(len(keys), 1),
        "mean_statements_of_valid": float(np.mean([len(p) for p in programs])) if programs else 0.0,
    }


def _uses_every_variable(program: dsl.Program) -> bool:
    used = {arg for statement in program.statements for arg in statement.args if arg in dsl.VARIABLES}
    return all(dsl.VARIABLES[k] in used for k in range(len(program)))


def sha256_of(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--embed-dim", type=int, default=32)
    parser.add_argument("--hidden-dim", type=int, default=128)
    parser.add_argument("--num-layers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", default=str(DSL_PRIOR_PATH), help="weights file; the report goes next to it (.json)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    task = CodeDSLTask()
    start = time.time()
    train = task.training_data()
    test = task.program_corpus(TEST_PROGRAMS, TEST_SEED)
    corpus_seconds = time.time() - start
    training_set = {tuple(row[:k].tolist()) for row, k in zip(*train, strict=True)}

    V = len(task.vocab)
    torch.manual_seed(args.seed)  # the initial weights
    model = RecurrentLM(LMConfig(vocab_size=V, embed_dim=args.embed_dim, hidden_dim=args.hidden_dim, num_layers=args.num_layers))
    start = time.time()
    history = fit_lm(model, *train, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed, device=args.device, valid=test, progress=False)
    train_seconds = time.time() - start
    model.to("cpu")

    test_masks = legal_masks(*test, task.max_statements)
    ids, lengths = model.sample(NUM_SAMPLES, task.max_length, generator=torch.Generator().manual_seed(args.seed))
    report = {
        "command": COMMAND,
        "config": {k: v for k, v in vars(args).items() if k != "out"},
        "lm_config": dataclasses.asdict(model.config),
        "task": {"env_id": "CodeDSL-v0", "params": task.params()},
        "parameters": sum(p.numel() for p in model.parameters()),
        "bytes": state_bytes(model),
        "corpus_seconds": round(corpus_seconds, 1),
        "train_seconds": round(train_seconds, 1),
        "training_programs": PRIOR_TRAINING_PROGRAMS,
        "training_seed": PRIOR_TRAINING_SEED,
        "training_data_sha256": sha256_of(train[0]),
        "corpus_head_sha256": sha256_of(train[0][:CORPUS_HEAD]),
        "distinct_training_programs": len(training_set),
        "test_programs": TEST_PROGRAMS,
        "test_seed": TEST_SEED,
        "test_programs_seen_in_training": float(np.mean([tuple(r[:k].tolist()) in training_set for r, k in zip(*test, strict=True)])),
        "history": history,
        "test_nll_per_program": {
            "prior": evaluate_nll(model, *test),
            "prior_with_grammar_mask": masked_nll(model, *test, test_masks),
            "training_frequencies": frequency_nll(train, test),
            "uniform_over_tokens": uniform_nll(test[1], None, V),
            "uniform_over_legal_tokens": uniform_nll(test[1], test_masks, V),
        },
        "samples_without_mask": {"n": NUM_SAMPLES, **sample_quality(ids, lengths, task.max_statements, training_set)},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    metadata_keys = ("command", "task", "training_programs", "training_seed", "training_data_sha256", "corpus_head_sha256", "test_nll_per_program", "samples_without_mask")
    model.save(out, metadata={k: report[k] for k in metadata_keys})
    report["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("test_nll_per_program", "samples_without_mask", "bytes", "train_seconds", "sha256")}, indent=1))
    return report


if __name__ == "__main__":
    main()
