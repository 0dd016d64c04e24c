"""Train the shipped Note RNN (the KL-control prior of AudioGen-v0).

Maximum likelihood on the training windows of ``melodies.npz`` (Bach chorale soprano
lines, 32 sixteenth-note steps in RL Tuner's 38-action encoding, token id = action + 1),
with the suite's :class:`~genenvs.core.reference_lm.RecurrentLM` / ``fit_lm``. Writes
``note_rnn.pt`` (weights, config, metadata) and ``note_rnn.json`` (training curve,
held-out NLL, the RL Tuner statistics of 1,000 samples) and records the checksum in
``manifest.json``.

Run:  python -m genenvs.audio.data.train_prior   (defaults = the shipped model; ~11 min on one CPU thread)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time

import numpy as np
import torch

from genenvs.audio.data import DATA
from genenvs.audio.melody import MELODY_STEPS, NUM_ACTIONS, actions_to_ids
from genenvs.audio.metrics import melody_metrics
from genenvs.audio.prior import PRIOR_FILE, load_melodies, melody_log_prob, sample_melodies
from genenvs.core.reference_lm import LMConfig, RecurrentLM, evaluate_nll, fit_lm, state_bytes


def as_lm_data(actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return actions_to_ids(actions), np.full(len(actions), actions.shape[1], dtype=np.int64)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--embed", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=192)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    train, test = load_melodies("train"), load_melodies("test")
    config = LMConfig(vocab_size=NUM_ACTIONS + 1, embed_dim=args.embed, hidden_dim=args.hidden, num_layers=args.layers, dropout=args.dropout)
    torch.manual_seed(args.seed)
    model = RecurrentLM(config)
    start = time.time()
    history = fit_lm(
        model, *as_lm_data(train), epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
        device=args.device, valid=as_lm_data(test), progress=False,
    )
    model.to("cpu").eval()
    best = min(history, key=lambda h: h["valid_nll"])
    test_nll = evaluate_nll(model, *as_lm_data(test))
    test_steps_nll = float(-melody_log_prob(model, test).mean())
    rng = np.random.default_rng(args.seed)
    uniform = rng.integers(0, NUM_ACTIONS, size=test.shape)
    samples = sample_melodies(model, 1000, seed=args.seed)
    report = {
        "config": vars(args),
        "lm_config": {"vocab_size": config.vocab_size, "embed_dim": config.embed_dim, "hidden_dim": config.hidden_dim, "num_layers": config.num_layers},
        "parameters": sum(p.numel() for p in model.parameters()),
        "bytes": state_bytes(model),
        "train_seconds": round(time.time() - start, 1),
        "train_melodies": len(train),
        "test_melodies": len(test),
        "history": history,
        "best_epoch": best["epoch"],
        "test_nll_per_melody": test_nll,
        "test_nll_per_melody_steps_only": test_steps_nll,
        "test_nll_per_step": test_steps_nll / MELODY_STEPS,
        "uniform_random_nll_per_melody_steps_only": float(-melody_log_prob(model, uniform).mean()),
        "sample_metrics": melody_metrics(samples),
        "test_metrics": melody_metrics(test),
    }
    metadata = {k: report[k] for k in ("test_nll_per_melody", "test_nll_per_step", "train_melodies")}
    model.save(DATA / PRIOR_FILE, metadata=metadata)
    (DATA / "note_rnn.json").write_text(json.dumps(report, indent=1) + "\n")
    manifest_path = DATA / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest.setdefault("files", {})[PRIOR_FILE] = hashlib.sha256((DATA / PRIOR_FILE).read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("test_nll_per_melody", "test_nll_per_step", "uniform_random_nll_per_melody_steps_only", "best_epoch", "bytes", "train_seconds")}, indent=1))


if __name__ == "__main__":
    main()
