"""Train the shipped molecule priors (GRU language models over SELFIES and SMILES).

This is the ``mle`` baseline applied to the shipped MOSES subset. It writes
``prior_<kind>.pt`` (weights + config + metadata) and ``prior_<kind>.json`` (training
curve, held-out NLL, MOSES-style validity / uniqueness / novelty of 2,000 samples).

Run:  python -m genenvs.molecule.data.train_prior --kind selfies [--epochs 4] [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import selfies as sf
import torch

from genenvs.core.reference_lm import LMConfig, RecurrentLM, evaluate_nll, fit_lm, pad_sequences, state_bytes
from genenvs.molecule.data.build_vocab import load_smiles
from genenvs.molecule.vocab import load_vocab, tokenize_selfies, tokenize_smiles

HERE = Path(__file__).resolve().parent


def encode_all(kind: str, smiles: list[str]) -> tuple[np.ndarray, np.ndarray]:
    vocab, max_length = load_vocab(kind)
    seqs = []
    for s in smiles:
        tokens = tokenize_selfies(sf.encoder(s)) if kind == "selfies" else tokenize_smiles(s)
        seqs.append(vocab.ids(tokens))
    return pad_sequences(seqs, vocab.pad_id, max_length)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["selfies", "smiles"], required=True)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    from genenvs.molecule.metrics import sample_quality

    vocab, max_length = load_vocab(args.kind)
    train = encode_all(args.kind, load_smiles("train"))
    test = encode_all(args.kind, load_smiles("test"))
    model = RecurrentLM(LMConfig(vocab_size=len(vocab)))
    start = time.time()
    history = fit_lm(model, *train, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed, device=args.device, valid=test)
    model.to("cpu")
    gen = torch.Generator().manual_seed(args.seed)
    ids, lengths = model.sample(2000, max_length, generator=gen)
    quality = sample_quality(args.kind, ids, lengths, training_smiles=set(load_smiles("train")))
    report = {
        "kind": args.kind,
        "config": vars(args),
        "parameters": sum(p.numel() for p in model.parameters()),
        "bytes": state_bytes(model),
        "train_seconds": round(time.time() - start, 1),
        "history": history,
        "test_nll_per_molecule": evaluate_nll(model, *test),
        "samples": quality,
    }
    model.save(HERE / f"prior_{args.kind}.pt", metadata={k: report[k] for k in ("kind", "test_nll_per_molecule", "samples")})
    (HERE / f"prior_{args.kind}.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("test_nll_per_molecule", "samples", "bytes", "train_seconds")}, indent=1))


if __name__ == "__main__":
    main()
