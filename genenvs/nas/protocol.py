"""The training protocol of NASGen-v0, without torch: its settings, its result, its data.

Everything here is read when an environment is made (the provenance hash, the shipped
table's staleness check), so it lives apart from :mod:`genenvs.nas.training`, which
imports torch and is only needed to train an architecture live.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from typing import Any

import numpy as np

SPLITS = ("train", "valid", "test")


@dataclasses.dataclass(frozen=True)
class TrainingConfig:
    """Everything that changes a trained network's accuracy except the architecture.

    ``learning_rates`` maps each optimiser token to its (constant) learning rate; SGD uses
    heavy-ball momentum ``sgd_momentum``. The defaults are the protocol of the shipped table:
    4 epochs of 9 mini-batches of 128 images (the last one 53), 36 updates in all.
    """

    epochs: int = 4
    batch_size: int = 128
    seed: int = 0
    learning_rates: tuple[tuple[str, float], ...] = (("sgd", 0.1), ("adam", 0.006))
    sgd_momentum: float = 0.9
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError(f"epochs and batch_size must be positive, got {self.epochs} and {self.batch_size}")

    def learning_rate(self, optimizer: str) -> float:
        rates = dict(self.learning_rates)
        if optimizer not in rates:
            raise ValueError(f"no learning rate for optimizer {optimizer!r}; configured: {sorted(rates)}")
        return rates[optimizer]

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["learning_rates"] = dict(self.learning_rates)
        return data

    def checksum(self) -> str:
        return hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True).encode()).hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class TrainingResult:
    """Outcome of one training run (accuracies are fractions of the split).

    ``valid_curve[e]`` is the validation accuracy after epoch ``e + 1``; because the learning
    rate is constant and the batch order is drawn epoch by epoch, it equals the final
    validation accuracy of the same run with ``epochs = e + 1``.
    """

    valid_accuracy: float
    valid_curve: tuple[float, ...]
    test_accuracy: float
    train_loss: float
    num_params: int
    seconds: float


# ---------------------------------------------------------------------- data
@functools.lru_cache(maxsize=1)
def digits_split() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``split -> (images float32 (N, 1, 8, 8) in [0, 1], labels int64 (N,))``.

    1,797 images: ``index % 5 == 0`` is the test split (360), ``== 1`` the validation split
    (360), the rest is the training split (1,077).
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)[:, None]
    labels = data.target.astype(np.int64)
    fold = np.arange(len(labels)) % 5
    index = {"test": fold == 0, "valid": fold == 1, "train": fold >= 2}
    out = {}
    for split in SPLITS:
        x, y = images[index[split]], labels[index[split]]
        x.setflags(write=False)
        y.setflags(write=False)
        out[split] = (x, y)
    return out


def data_checksum() -> str:
    """Checksum of the three splits: detects a changed copy of the digits data set."""
    digest = hashlib.sha256()
    for split in SPLITS:
        x, y = digits_split()[split]
        digest.update(split.encode())
        digest.update(np.ascontiguousarray(x).tobytes())
        digest.update(np.ascontiguousarray(y).tobytes())
    return digest.hexdigest()[:16]
