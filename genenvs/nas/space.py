"""The search space: small networks for 8x8 digits, written as token sequences.

An architecture is an optimiser followed by 1..``max_layers`` layers, convolutions before
dense layers (a network flattens once), each layer spelled as a few tokens in the order
Zoph & Le's controller emits them (layer type, width, kernel, then activation and the
skip-connection choice; Zoph & Le, 2017, "Neural Architecture Search with Reinforcement
Learning"):

    adam  conv w16 k3 relu skip  dense w32 tanh noskip

* ``conv wC kK act s``: ``Conv2d(C_in, C, K, padding=K // 2)``, the activation, then 2x2
  max-pooling (LeNet's block; the 8x8 map becomes 4x4, 2x2, 1x1, 1x1);
* ``dense wD act s``: ``Linear(D_in, D)`` (the first dense layer flattens its input);
* ``skip``: the layer computes ``act(f(x) + shortcut(x))`` (before pooling), where the shortcut is the
  identity when the shapes match and a learned bias-free projection otherwise (He et al.,
  2016, option B); ``noskip``: ``act(f(x))``;
* a linear classifier head (``Linear(features, 10)``) always follows the last layer.

The space is finite and enumerable (:meth:`SearchSpace.architectures`), which is what lets
the default environment score from a table of every architecture trained once.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterator, Sequence
from functools import cached_property

from genenvs.core.vocab import Vocabulary

#: Digits are 8x8 grey images with 10 classes.
IMAGE_SIZE = 8
NUM_CLASSES = 10
LAYER_TYPES = ("conv", "dense")
SKIP_TOKENS = ("noskip", "skip")
#: Tokens per layer: type, width, (kernel,) activation, skip.
LAYER_LENGTH = {"conv": 5, "dense": 4}


@dataclasses.dataclass(frozen=True)
class Layer:
    """One hidden layer. ``kernel`` is ``None`` for dense layers."""

    kind: str
    width: int
    activation: str
    skip: bool
    kernel: int | None = None

    def tokens(self) -> list[str]:
        out = [self.kind, f"w{self.width}"]
        if self.kind == "conv":
            out.append(f"k{self.kernel}")
        return out + [self.activation, SKIP_TOKENS[int(self.skip)]]


@dataclasses.dataclass(frozen=True)
class Architecture:
    """An optimiser and a stack of layers; ``str(arch)`` is its canonical token string."""

    optimizer: str
    layers: tuple[Layer, ...]

    def tokens(self) -> list[str]:
        return [self.optimizer] + [t for layer in self.layers for t in layer.tokens()]

    def __str__(self) -> str:
        return " ".join(self.tokens())

    @property
    def depth(self) -> int:
        return len(self.layers)

    # ------------------------------------------------------------------ cost model
    def shapes(self) -> list[tuple[int, int, int]]:
        """``(input features, output features, input side)`` of every layer.

        Conv features count channels per pixel of a ``side x side`` map (each conv layer
        halves the side by 2x2 max-pooling, rounding up); the first dense layer flattens its
        input, and dense features count units (side 1).
        """
        shapes, channels, side, flat = [], 1, IMAGE_SIZE, None
        for layer in self.layers:
            if layer.kind == "conv":
                shapes.append((channels, layer.width, side))
                channels, side = layer.width, pooled_side(side)
            else:
                d_in = flat if flat is not None else channels * side * side
                shapes.append((d_in, layer.width, 1))
                flat = layer.width
        return shapes

    def head_features(self) -> int:
        """Inputs of the linear classifier: the flattened output of the last layer."""
        d_in, d_out, side = self.shapes()[-1]
        last = self.layers[-1]
        return d_out if last.kind == "dense" else d_out * pooled_side(side) ** 2

    def num_params(self) -> int:
        """Trainable parameters of the network built by :func:`genenvs.nas.training.build_network`."""
        total = 0
        for layer, (d_in, d_out, _) in zip(self.layers, self.shapes()):
            fan_in = d_in * (layer.kernel**2 if layer.kind == "conv" else 1)
            total += fan_in * d_out + d_out
            if layer.skip and d_in != d_out:
                total += d_in * d_out  # bias-free 1x1 / linear projection shortcut
        return total + self.head_features() * NUM_CLASSES + NUM_CLASSES

    def num_macs(self) -> int:
        """Multiply-accumulates of one forward pass on one image (a hardware-free latency proxy)."""
        total = 0
        for layer, (d_in, d_out, side) in zip(self.layers, self.shapes()):
            per_position = d_in * d_out * (layer.kernel**2 if layer.kind == "conv" else 1)
            if layer.skip and d_in != d_out:
                per_position += d_in * d_out
            total += per_position * side * side
        return total + self.head_features() * NUM_CLASSES


def pooled_side(side: int) -> int:
    """Side of a feature map after 2x2 max-pooling with ``ceil_mode=True``."""
    return (side + 1) // 2


@dataclasses.dataclass(frozen=True)
class SearchSpace:
    """The choices of every decision; the vocabulary and the grammar are derived from them.

    The defaults are the space of ``NASGen-v0``. ``max_layers`` bounds the depth; the
    shipped table covers ``max_layers <= TABLE_MAX_LAYERS`` (deeper spaces train live).
    """

    optimizers: tuple[str, ...] = ("sgd", "adam")
    widths: tuple[int, ...] = (8, 16, 32)
    kernels: tuple[int, ...] = (3, 5)
    activations: tuple[str, ...] = ("relu", "tanh")
    max_layers: int = 2

    def __post_init__(self) -> None:
        if not isinstance(self.max_layers, int) or not 1 <= self.max_layers <= 4:
            raise ValueError(f"max_layers must be an integer in 1..4, got {self.max_layers!r}")
        for name in ("optimizers", "widths", "kernels", "activations"):
            values = getattr(self, name)
            if not values or len(set(values)) != len(values):
                raise ValueError(f"SearchSpace.{name} must be a non-empty tuple of distinct values, got {values!r}")

    # ------------------------------------------------------------------ tokens
    @cached_property
    def vocab(self) -> Vocabulary:
        """``<end>``, optimisers, layer types, widths, kernels, activations, skip choices."""
        symbols = [*self.optimizers, *LAYER_TYPES, *(f"w{w}" for w in self.widths), *(f"k{k}" for k in self.kernels), *self.activations, *SKIP_TOKENS]
        return Vocabulary(symbols)

    @property
    def max_tokens(self) -> int:
        """Length of the longest architecture (all conv layers): the episode length limit."""
        return 1 + self.max_layers * max(LAYER_LENGTH.values())

    # ------------------------------------------------------------------ enumeration
    def layer_choices(self, kind: str) -> list[Layer]:
        kernels: Sequence[int | None] = self.kernels if kind == "conv" else (None,)
        return [
            Layer(kind, w, a, s, k)
            for w, k, a, s in itertools.product(self.widths, kernels, self.activations, (False, True))
        ]

    @cached_property
    def _all_layers(self) -> frozenset[Layer]:
        return frozenset(self.layer_choices("conv") + self.layer_choices("dense"))

    def architectures(self) -> Iterator[Architecture]:
        """Every architecture of the space, shallow first, in a fixed order."""
        conv, dense = self.layer_choices("conv"), self.layer_choices("dense")
        for depth in range(1, self.max_layers + 1):
            for n_conv in range(depth, -1, -1):
                stacks = itertools.product(*([conv] * n_conv + [dense] * (depth - n_conv)))
                for optimizer, stack in itertools.product(self.optimizers, list(stacks)):
                    yield Architecture(optimizer, tuple(stack))

    def size(self) -> int:
        c, d = len(self.layer_choices("conv")), len(self.layer_choices("dense"))
        stacks = sum(c**j * d ** (k - j) for k in range(1, self.max_layers + 1) for j in range(k + 1))
        return len(self.optimizers) * stacks

    # ------------------------------------------------------------------ parsing
    def parse(self, text: str | Sequence[str]) -> Architecture:
        """The architecture spelled by ``text`` (a token string or list), or ``ValueError``.

        Memoised: scorers parse every finished episode, and a search revisits architectures.
        """
        return _parse(self, tuple(text.split() if isinstance(text, str) else text))

    def _parse_tokens(self, tokens: tuple[str, ...]) -> Architecture:
        if not tokens:
            raise ValueError("an architecture needs an optimiser and at least one layer, got an empty string")
        optimizer, rest = tokens[0], list(tokens[1:])
        if optimizer not in self.optimizers:
            raise ValueError(f"an architecture starts with an optimiser {self.optimizers}, got {optimizer!r}")
        layers: list[Layer] = []
        while rest:
            kind = rest[0]
            if kind not in LAYER_TYPES:
                raise ValueError(f"expected a layer type {LAYER_TYPES} at {' '.join(rest)!r}")
            size = LAYER_LENGTH[kind]
            if len(rest) < size:
                raise ValueError(f"incomplete {kind} layer {' '.join(rest)!r}: expected {size} tokens")
            layers.append(self._parse_layer(rest[:size]))
            rest = rest[size:]
        arch = Architecture(optimizer, tuple(layers))
        self.check(arch)
        return arch

    def _parse_layer(self, tokens: list[str]) -> Layer:
        kind, width, *middle, activation, skip = tokens
        kernel = None
        if kind == "conv":
            kernel = _number(middle[0], "k", self.kernels, "kernel")
        if activation not in self.activations:
            raise ValueError(f"activation must be one of {self.activations}, got {activation!r}")
        if skip not in SKIP_TOKENS:
            raise ValueError(f"a layer ends with one of {SKIP_TOKENS}, got {skip!r}")
        return Layer(kind, _number(width, "w", self.widths, "width"), activation, skip == "skip", kernel)

    def check(self, arch: Architecture) -> None:
        """Raise ``ValueError`` unless ``arch`` belongs to this space."""
        if not 1 <= arch.depth <= self.max_layers:
            raise ValueError(f"architectures have 1..{self.max_layers} layers, got {arch.depth}")
        kinds = [layer.kind for layer in arch.layers]
        if "dense" in kinds and "conv" in kinds[kinds.index("dense") :]:
            raise ValueError(f"conv layers must come before dense layers, got {' -> '.join(kinds)}")
        for layer in arch.layers:
            if layer not in self._all_layers:
                raise ValueError(f"layer {' '.join(layer.tokens())!r} is outside the search space")
        if arch.optimizer not in self.optimizers:
            raise ValueError(f"optimizer must be one of {self.optimizers}, got {arch.optimizer!r}")


@functools.lru_cache(maxsize=1 << 16)
def _parse(space: SearchSpace, tokens: tuple[str, ...]) -> Architecture:
    return space._parse_tokens(tokens)


def _number(token: str, prefix: str, allowed: Sequence[int], what: str) -> int:
    if token.startswith(prefix) and token[1:].isdigit() and int(token[1:]) in allowed:
        return int(token[1:])
    raise ValueError(f"{what} token must be one of {[f'{prefix}{v}' for v in allowed]}, got {token!r}")
