"""Train the shipped reference language model of TextGen-v0 (the KL-control prior).

A :class:`genenvs.core.reference_lm.RecurrentLM` (one GRU layer) fitted by maximum
likelihood on the training split of the shipped corpus, in the shipped BPE ids, whole
sentences from the start token to ``<end>``. Writes ``reference_lm.pt`` (weights, config,
metadata) and ``reference_lm.json`` (training curve, held-out NLL and perplexity, and the
same numbers for shuffled held-out sentences as a sanity check), and records the
checksum in ``manifest.json``.

Run:  python -m genenvs.text.data.train_lm [--epochs 7] [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from genenvs.core.reference_lm import (
    LMConfig,
    RecurrentLM,
    evaluate_nll,
    fit_lm,
    pad_sequences,
    state_bytes,
)
from genenvs.text.corpus import load_sentences
from genenvs.text.data.build_corpus import sha256, update_manifest
from genenvs.text.vocab import shipped_tokenizer

HERE = Path(__file__).resolve().parent
MODEL_FILE = HERE / "reference_lm.pt"


def encode_sentences(sentences: list[str] | tuple[str, ...], shuffle_seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Padded genenvs ids of sentences; with ``shuffle_seed`` each sentence's tokens are permuted."""
    tokenizer = shipped_tokenizer()
    rng = np.random.default_rng(shuffle_seed)
    seqs = []
    for s in sentences:
        ids = tokenizer.encode(s)
        seqs.append(rng.permutation(ids) if shuffle_seed is not None else ids)
    return pad_sequences(seqs, tokenizer.vocab.pad_id)


def per_token(model: RecurrentLM, ids: np.ndarray, lengths: np.ndarray) -> dict[str, float]:
    """NLL per sentence and per token (``<end>`` counted as a token), and token perplexity."""
    nll = evaluate_nll(model, ids, lengths)
    tokens = float((lengths + 1).mean())
    return {"nll_per_sentence": nll, "nll_per_token": nll / tokens, "perplexity": math.exp(nll / tokens)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=7)
    parser.add_argument("--embed-dim", type=int, default=64)
    parser.add_argument("--hidden-dim", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    vocab = shipped_tokenizer().vocab
    train = encode_sentences(load_sentences("train"))
    test = encode_sentences(load_sentences("test"))
    shuffled = encode_sentences(load_sentences("test"), shuffle_seed=args.seed)
    config = LMConfig(vocab_size=len(vocab), embed_dim=args.embed_dim, hidden_dim=args.hidden_dim, num_layers=1)
    torch.manual_seed(args.seed)
    model = RecurrentLM(config)
    start = time.time()
    history = fit_lm(model, *train, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed, device=args.device, valid=test, progress=False)
    model.to("cpu")
    report = {
        "config": vars(args),
        "lm_config": {"vocab_size": config.vocab_size, "embed_dim": config.embed_dim, "hidden_dim": config.hidden_dim, "num_layers": config.num_layers},
        "parameters": sum(p.numel() for p in model.parameters()),
        "bytes": state_bytes(model),
        "train_seconds": round(time.time() - start, 1),
        "history": history,
        "train": per_token(model, *train),
        "test": per_token(model, *test),
        "test_shuffled": per_token(model, *shuffled),
        "uniform_perplexity": len(vocab),
    }
    model.save(MODEL_FILE, metadata={k: report[k] for k in ("test", "test_shuffled", "parameters")})
    (HERE / "reference_lm.json").write_text(json.dumps(report, indent=1) + "\n")
    update_manifest({"reference_lm": {"command": "python -m genenvs.text.data.train_lm", "test": report["test"], "parameters": report["parameters"]}}, {"reference_lm.pt": {"sha256": sha256(MODEL_FILE)}})
    print(json.dumps({k: report[k] for k in ("train", "test", "test_shuffled", "bytes", "train_seconds")}, indent=1))


if __name__ == "__main__":
    main()
