"""Deterministic training of a searched architecture on scikit-learn's digits.

The reward of an architecture is the validation accuracy of the network it describes after
a short, fixed training run. Every source of randomness is pinned so that the shipped table
and live training agree exactly on the CPU:

* the data split is by position (``index % 5``), independent of any RNG version;
* weights are initialised from ``torch.manual_seed(config.seed)`` inside
  ``torch.random.fork_rng`` (the caller's global RNG is left untouched);
* mini-batch order comes from ``numpy.random.default_rng(config.seed)``;
* CPU training runs on one thread (tiny networks gain nothing from more, and the
  summation order of a multi-threaded reduction depends on the thread count).
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from genenvs.nas.protocol import (  # noqa: F401  re-exported
    SPLITS,
    TrainingConfig,
    TrainingResult,
    data_checksum,
    digits_split,
)
from genenvs.nas.space import NUM_CLASSES, Architecture, Layer

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


# ---------------------------------------------------------------------- network
class SearchedLayer(nn.Module):
    """``act(f(x) + shortcut(x))`` with ``skip``, else ``act(f(x))``; conv layers then pool 2x2."""

    def __init__(self, layer: Layer, d_in: int) -> None:
        super().__init__()
        if layer.kind == "conv":
            self.f: nn.Module = nn.Conv2d(d_in, layer.width, layer.kernel, padding=layer.kernel // 2)
            projection = nn.Conv2d(d_in, layer.width, 1, bias=False)
        else:
            self.f = nn.Linear(d_in, layer.width)
            projection = nn.Linear(d_in, layer.width, bias=False)
        self.shortcut: nn.Module | None = None
        if layer.skip:
            self.shortcut = nn.Identity() if d_in == layer.width else projection
        self.act = ACTIVATIONS[layer.activation]()
        self.pool = nn.MaxPool2d(2, ceil_mode=True) if layer.kind == "conv" else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.f(x)
        if self.shortcut is not None:
            y = y + self.shortcut(x)
        return self.pool(self.act(y))


class SearchedNetwork(nn.Module):
    """The network an :class:`~genenvs.nas.space.Architecture` describes, with a linear head."""

    def __init__(self, arch: Architecture) -> None:
        super().__init__()
        self.layers = nn.ModuleList()
        self.flatten_before = []  # whether the input of layer i is flattened first
        flat = False
        for layer, (d_in, _, _) in zip(arch.layers, arch.shapes()):
            self.flatten_before.append(layer.kind == "dense" and not flat)
            flat = flat or layer.kind == "dense"
            self.layers.append(SearchedLayer(layer, d_in))
        self.head = nn.Linear(arch.head_features(), NUM_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for flatten, layer in zip(self.flatten_before, self.layers):
            x = layer(x.flatten(1) if flatten else x)
        return self.head(x.flatten(1))


def build_network(arch: Architecture) -> SearchedNetwork:
    return SearchedNetwork(arch)


def make_optimizer(arch: Architecture, params: Iterator[nn.Parameter], config: TrainingConfig) -> torch.optim.Optimizer:
    lr = config.learning_rate(arch.optimizer)
    if arch.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=config.sgd_momentum, weight_decay=config.weight_decay)
    if arch.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=config.weight_decay)
    raise ValueError(f"unknown optimizer {arch.optimizer!r}; known: sgd, adam")


# ---------------------------------------------------------------------- training
@contextlib.contextmanager
def _deterministic(device: torch.device) -> Iterator[None]:
    """Single-threaded CPU / deterministic cuDNN for the duration of one training run."""
    threads = torch.get_num_threads()
    cudnn = (torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark)
    devices = [device.index or 0] if device.type == "cuda" else []
    try:
        if device.type == "cpu":
            torch.set_num_threads(1)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
        with torch.random.fork_rng(devices=devices):
            yield
    finally:
        torch.set_num_threads(threads)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = cudnn


@functools.lru_cache(maxsize=4)
def _tensors(device: str) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    return {split: (torch.tensor(x, device=device), torch.tensor(y, device=device)) for split, (x, y) in digits_split().items()}


def _accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of correct predictions, computed from the integer count (an exact ratio)."""
    with torch.no_grad():
        return int((model(x).argmax(dim=1) == y).sum()) / len(y)


def train_architecture(arch: Architecture, config: TrainingConfig = TrainingConfig(), device: str | torch.device = "cpu") -> TrainingResult:
    """Train ``arch`` from scratch on the training split and evaluate it.

    Deterministic for a given ``(arch, config, device type)``; on the CPU the result equals
    the shipped table's row (tested).
    """
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was requested but torch.cuda.is_available() is False; use device='cpu'")
    start = time.perf_counter()
    data = _tensors(str(device))
    x_train, y_train = data["train"]
    n = len(y_train)
    order_rng = np.random.default_rng(config.seed)
    with _deterministic(device):
        torch.manual_seed(config.seed)
        model = build_network(arch).to(device)
        optimizer = make_optimizer(arch, model.parameters(), config)
        losses, curve = [], []
        for _ in range(config.epochs):
            perm = torch.as_tensor(order_rng.permutation(n), device=device)
            for begin in range(0, n, config.batch_size):
                idx = perm[begin : begin + config.batch_size]
                loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                losses.append(loss.detach())
            curve.append(_accuracy(model, *data["valid"]))
        steps_per_epoch = -(-n // config.batch_size)
        train_loss = float(torch.stack(losses[-steps_per_epoch:]).mean())
        test = _accuracy(model, *data["test"])
    params = sum(p.numel() for p in model.parameters())
    loss = train_loss if np.isfinite(train_loss) else float("inf")
    return TrainingResult(curve[-1], tuple(curve), test, loss, params, time.perf_counter() - start)


__all__ = ["TrainingConfig", "TrainingResult", "build_network", "data_checksum", "digits_split", "train_architecture"]

