"""Scorers of generated architectures: accuracy (tabular or live) and resource costs.

The reward of ``NASGen-v0`` is a :class:`~genenvs.rewards.compose.WeightedSum`

    accuracy - param_coef * params / 10^4 - macs_coef * MACs / 10^5

whose components are reported as ``accuracy``, ``param_cost`` and ``macs_cost`` (the cost
terms already carry their minus sign, so the components add up to the reward). Scaling
rewards by parameters or by a latency proxy follows MnasNet (Tan et al., 2019) and
DPP-Net / multi-objective NAS (Elsken et al., 2019); MACs are used instead of measured
latency so the reward does not depend on the machine.

Every scorer receives samples as canonical architecture strings (``str(Architecture)``).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from genenvs.nas.space import Architecture, SearchSpace
from genenvs.nas.table import NASTable, default_table
from genenvs.nas.protocol import TrainingConfig, TrainingResult
from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult
from genenvs.rewards.compose import WeightedSum

#: Cost units: the largest network of the default space has ~3.4 x 10^4 parameters and
#: ~4.6 x 10^5 MACs, so a coefficient of 0.01 costs at most a few points of accuracy.
PARAM_UNIT = 10_000
MACS_UNIT = 100_000


def _valid_archs(space: SearchSpace, batch: SampleBatch) -> list[tuple[int, Architecture]]:
    return [(i, space.parse(s)) for i, (s, ok) in enumerate(zip(batch.samples, batch.valid)) if ok]


class TabularAccuracy(Scorer):
    """Validation accuracy looked up in the shipped table (NAS-Bench-101/201 protocol).

    ``epochs`` selects the fidelity (validation accuracy after that many epochs of the same
    run). Invalid samples score 0.
    """

    name = "accuracy"
    version = "1"
    invalid_score = 0.0

    def __init__(self, space: SearchSpace, epochs: int | None = None, table: NASTable | None = None) -> None:
        self.space = space
        self.table = table or default_table()
        self.epochs = self.table.epochs if epochs is None else int(epochs)
        if not 1 <= self.epochs <= self.table.epochs:
            raise ValueError(f"epochs must be in 1..{self.table.epochs} for the tabular reward, got {epochs}; pass live=True for longer training")

    def params(self) -> dict[str, Any]:
        return {"mode": "table", "epochs": self.epochs, "table_sha256": self.table.sha256[:16], "training": self.table.header["training"]}

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.full(len(batch), self.invalid_score)
        for i, arch in _valid_archs(self.space, batch):
            scores[i] = self.table[arch].accuracy_at(self.epochs)
        return ScoreResult.single(self.name, scores, batch.valid)

    def details(self, sample: str) -> dict[str, Any]:
        row = self.table[sample]
        return {"test_accuracy": row.test_accuracy, "train_loss": row.train_loss, "valid_curve": list(row.valid_curve[: self.epochs])}


class LiveAccuracy(Scorer):
    """Validation accuracy of the architecture trained now, on ``device``.

    Results are cached for the process (shared by every env with the same training
    configuration and device type) and, with ``cache_path``, in a JSON-lines file that later
    runs reuse. On the CPU the result equals the table's row for the same configuration.
    """

    name = "accuracy"
    version = "1"
    invalid_score = 0.0
    _memory: dict[tuple[str, str, str], TrainingResult] = {}
    _lock = threading.Lock()

    def __init__(self, space: SearchSpace, config: TrainingConfig = TrainingConfig(), device: str = "cpu", cache_path: str | Path | None = None) -> None:
        import torch

        self.space = space
        self.config = config
        try:
            self.device = torch.device(device)
        except (RuntimeError, TypeError):
            self.device = None
        if self.device is None or self.device.type not in ("cpu", "cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda[:N]', got {device!r}")
        if self.device.type == "cuda" and not torch.cuda.is_available():
            raise ValueError("device='cuda' was requested but torch.cuda.is_available() is False; use device='cpu'")
        self.cache_path = Path(cache_path) if cache_path is not None else None
        self.trained = 0  # networks trained by this scorer (cache misses)
        if self.cache_path is not None and self.cache_path.exists():
            self._load_cache()

    def params(self) -> dict[str, Any]:
        # the device type changes numerics (cuDNN vs CPU kernels), so it is part of the identity
        return {"mode": "live", "device_type": self.device.type, "training": self.config.as_dict()}

    def _key(self, arch: Architecture | str) -> tuple[str, str, str]:
        return (str(arch), self.config.checksum(), self.device.type)

    def _load_cache(self) -> None:
        for line in self.cache_path.read_text().splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            key = (entry["arch"], entry["training_checksum"], entry["device_type"])
            result = entry["result"]
            result["valid_curve"] = tuple(result["valid_curve"])
            self._memory.setdefault(key, TrainingResult(**result))

    def result(self, arch: Architecture | str) -> TrainingResult:
        """The training result of ``arch`` (trained on first request, then cached)."""
        key = self._key(arch)
        with self._lock:
            cached = self._memory.get(key)
        if cached is not None:
            return cached
        from genenvs.nas.training import train_architecture  # torch, only when training live

        arch = arch if isinstance(arch, Architecture) else self.space.parse(arch)
        result = train_architecture(arch, self.config, self.device)
        self.trained += 1
        with self._lock:
            self._memory[key] = result
            if self.cache_path is not None:
                entry = {"arch": key[0], "training_checksum": key[1], "device_type": key[2], "result": {**result.__dict__, "valid_curve": list(result.valid_curve)}}
                with self.cache_path.open("a") as f:
                    f.write(json.dumps(entry) + "\n")
        return result

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.full(len(batch), self.invalid_score)
        for i, arch in _valid_archs(self.space, batch):
            scores[i] = self.result(arch).valid_accuracy
        return ScoreResult.single(self.name, scores, batch.valid)

    def details(self, sample: str) -> dict[str, Any]:
        r = self.result(sample)
        return {"test_accuracy": r.test_accuracy, "train_loss": r.train_loss, "valid_curve": list(r.valid_curve), "train_seconds": r.seconds}


class ParamCost(Scorer):
    """Trainable parameters in units of ``PARAM_UNIT`` (10^4); 0 for invalid samples."""

    name = "param_cost"
    version = "1"

    def __init__(self, space: SearchSpace) -> None:
        self.space = space

    def params(self) -> dict[str, Any]:
        return {"unit": PARAM_UNIT}

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.zeros(len(batch))
        for i, arch in _valid_archs(self.space, batch):
            scores[i] = arch.num_params() / PARAM_UNIT
        return ScoreResult.single(self.name, scores, batch.valid)


class MacsCost(Scorer):
    """Multiply-accumulates per image in units of ``MACS_UNIT`` (10^5): a latency proxy."""

    name = "macs_cost"
    version = "1"

    def __init__(self, space: SearchSpace) -> None:
        self.space = space

    def params(self) -> dict[str, Any]:
        return {"unit": MACS_UNIT}

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.zeros(len(batch))
        for i, arch in _valid_archs(self.space, batch):
            scores[i] = arch.num_macs() / MACS_UNIT
        return ScoreResult.single(self.name, scores, batch.valid)


def nas_reward(accuracy: TabularAccuracy | LiveAccuracy, space: SearchSpace, param_coef: float = 0.0, macs_coef: float = 0.0) -> WeightedSum:
    """``accuracy - param_coef * param_cost - macs_coef * macs_cost``; every term is a component."""
    for name, value in (("param_coef", param_coef), ("macs_coef", macs_coef)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite non-negative number, got {value!r}")
    return WeightedSum([(accuracy, 1.0), (ParamCost(space), -float(param_coef) or 0.0), (MacsCost(space), -float(macs_coef) or 0.0)], name="nas_reward")
