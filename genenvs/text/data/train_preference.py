"""Train the shipped Bradley-Terry reward model of ``TextGen-v0``'s ``reward="preference"``.

There are no human labels offline, so the preference pairs are synthetic and the labeller
is a rule anyone can inspect: a real continuation from the corpus is preferred over a
corrupted copy of itself. Corruptions keep the length (so length cannot be the cue):

* ``shuffle``: the tokens in random order;
* ``substitute``: 30% of the tokens replaced by draws from the corpus unigram distribution;
* ``repeat``: the opening third repeated to full length (the degenerate loop of greedy LMs).

The learned reward therefore scores *naturalness of the continuation*. The model is
:meth:`genenvs.rewards.BradleyTerryModel.for_tokens` (token CNN) over the shipped BPE
ids, continuations truncated to ``WIDTH`` tokens. Writes ``preference_model.pt`` and
``preference_model.json`` (held-out pairwise accuracy per corruption).

Run:  python -m genenvs.text.data.train_preference [--epochs 6]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from genenvs.core.reference_lm import pad_sequences
from genenvs.rewards.preference import BradleyTerryModel
from genenvs.text.corpus import load_sentences, split_sentence
from genenvs.text.data.build_corpus import sha256, update_manifest
from genenvs.text.vocab import shipped_tokenizer

HERE = Path(__file__).resolve().parent
MODEL_FILE = HERE / "preference_model.pt"
WIDTH = 32
CORRUPTIONS = ("shuffle", "substitute", "repeat")


def continuations(split: str) -> list[np.ndarray]:
    tokenizer = shipped_tokenizer()
    out = []
    for sentence in load_sentences(split):
        ids = tokenizer.encode(split_sentence(sentence)[1])[:WIDTH]
        if len(ids) >= 4:
            out.append(ids)
    return out


def corrupt(ids: np.ndarray, kind: str, rng: np.random.Generator, unigram: np.ndarray) -> np.ndarray:
    if kind == "shuffle":
        out = rng.permutation(ids)
        return out if not np.array_equal(out, ids) else ids[::-1].copy()
    if kind == "substitute":
        out = ids.copy()
        where = rng.random(len(ids)) < 0.3
        where[rng.integers(len(ids))] = True
        out[where] = rng.choice(len(unigram), size=int(where.sum()), p=unigram)
        return out
    if kind == "repeat":
        head = ids[: max(1, len(ids) // 3)]
        return np.resize(head, len(ids))
    raise ValueError(f"unknown corruption {kind!r}; choose from {CORRUPTIONS}")


def make_pairs(real: list[np.ndarray], seed: int, unigram: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """One pair per real continuation, corruption chosen uniformly; returns (preferred, rejected, kinds)."""
    rng = np.random.default_rng(seed)
    kinds = rng.integers(len(CORRUPTIONS), size=len(real))
    fake = [corrupt(ids, CORRUPTIONS[k], rng, unigram) for ids, k in zip(real, kinds)]
    pad = shipped_tokenizer().vocab.pad_id
    preferred, _ = pad_sequences(real, pad, WIDTH)
    rejected, _ = pad_sequences(fake, pad, WIDTH)
    return torch.as_tensor(preferred), torch.as_tensor(rejected), kinds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    vocab = shipped_tokenizer().vocab
    train_real, test_real = continuations("train"), continuations("test")
    counts = np.bincount(np.concatenate(train_real), minlength=len(vocab)).astype(np.float64)
    counts[vocab.end_id] = 0.0
    unigram = counts / counts.sum()
    train = make_pairs(train_real, args.seed, unigram)
    test = make_pairs(test_real, args.seed + 1, unigram)

    start = time.time()
    model = BradleyTerryModel.for_tokens(len(vocab), dim=args.dim, seed=args.seed)
    losses = model.fit(train[0], train[1], epochs=args.epochs, seed=args.seed)
    per_kind = {}
    for k, kind in enumerate(CORRUPTIONS):
        rows = np.flatnonzero(test[2] == k)
        per_kind[kind] = model.accuracy(test[0][rows], test[1][rows])
    report = {
        "config": vars(args),
        "width": WIDTH,
        "train_pairs": len(train_real),
        "test_pairs": len(test_real),
        "losses": losses,
        "train_accuracy": model.accuracy(train[0], train[1]),
        "test_accuracy": model.accuracy(test[0], test[1]),
        "test_accuracy_by_corruption": per_kind,
        "train_seconds": round(time.time() - start, 1),
    }
    model.save(MODEL_FILE, metadata={k: report[k] for k in ("test_accuracy", "test_accuracy_by_corruption", "width")})
    (HERE / "preference_model.json").write_text(json.dumps(report, indent=1) + "\n")
    update_manifest(
        {"preference_model": {"command": "python -m genenvs.text.data.train_preference", "test_accuracy": report["test_accuracy"], "test_accuracy_by_corruption": per_kind}},
        {"preference_model.pt": {"sha256": sha256(MODEL_FILE)}},
    )
    print(json.dumps({k: report[k] for k in ("train_accuracy", "test_accuracy", "test_accuracy_by_corruption", "train_seconds")}, indent=1))


if __name__ == "__main__":
    main()
