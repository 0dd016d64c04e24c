"""Maximum-likelihood pretraining on the domain's data: the script that builds the priors.

Teacher-forced next-token training of a :class:`RecurrentLM` on ``task.training_data()``
(the same code path as ``genenvs/<domain>/data/train_prior*.py``). The budget counts
training sequences seen.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from genenvs.core.reference_lm import LMConfig, RecurrentLM, evaluate_nll, fit_lm


@dataclasses.dataclass
class Args:
    batch_size: int = 128
    lr: float = 2e-3
    hidden_dim: int = 256
    num_layers: int = 2
    valid_fraction: float = 0.05


def train_mle(task, args: Args, budget: int, seed: int, device: str, log) -> tuple[RecurrentLM, dict[str, float]]:
    data = task.training_data()
    if data is None:
        raise ValueError(f"task {task.name!r} ships no training data for maximum-likelihood pretraining")
    ids, lengths = data
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(ids))
    n_valid = max(1, int(len(ids) * args.valid_fraction))
    valid, train = order[:n_valid], order[n_valid:]
    epochs = max(1, math.ceil(budget / len(train)))
    model = RecurrentLM(LMConfig(vocab_size=len(task.vocab), hidden_dim=args.hidden_dim, num_layers=args.num_layers))
    history = fit_lm(model, ids[train], lengths[train], epochs=epochs, batch_size=args.batch_size, lr=args.lr, seed=seed, device=device, valid=(ids[valid], lengths[valid]), log=lambda *_: None)
    for row in history:
        log(row["epoch"] * len(train), **{k: v for k, v in row.items() if k != "epoch"})
    model.to("cpu")
    return model, {"valid_nll": evaluate_nll(model, ids[valid], lengths[valid]), "epochs": epochs}
