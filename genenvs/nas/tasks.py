"""NASGen: neural architecture search as sequence generation.

The controller of Zoph & Le (2017) emits an architecture token by token and is rewarded
with the trained network's validation accuracy; MetaQNN (Baker et al., 2017) and ENAS
(Pham et al., 2018) pose the same sequential decision problem. Here one episode writes one
small network for scikit-learn's 8x8 digits (see :mod:`genenvs.nas.space` for the
grammar), the action mask keeps every prefix valid, and the reward is read from a table of
every architecture trained once (default) or obtained by training it now (``live=True``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from genenvs.core.automaton import AutomatonRows
from genenvs.core.task import Context, TokenTask
from genenvs.nas.grammar import ArchitectureGrammar
from genenvs.nas.rewards import LiveAccuracy, TabularAccuracy, nas_reward
from genenvs.nas.space import Architecture, SearchSpace
from genenvs.nas.protocol import TrainingConfig, data_checksum

#: The shipped table covers the default space, which has at most this many layers.
TABLE_MAX_LAYERS = SearchSpace().max_layers


class NASTask(TokenTask):
    """Write one architecture; score it by its validation accuracy minus optional costs.

    Args:
        max_layers: depth limit, 1..4. The table covers up to ``TABLE_MAX_LAYERS`` (2);
            deeper spaces need ``live=True``.
        live: train every new architecture now instead of reading the table.
        device: ``"cpu"`` or ``"cuda[:N]"`` for live training (CPU results equal the table).
        epochs: training epochs behind the reward; in table mode 1..4 (lower values are
            the same runs stopped early: a multi-fidelity view).
        param_coef, macs_coef: weights of the parameter and MAC costs (default 0).
        cache_path: JSON-lines file that keeps live results across runs (live mode only).

    The sample is the architecture's canonical token string, e.g.
    ``"adam conv w16 k3 relu skip dense w32 tanh noskip"``; the maximum episode length is
    the longest architecture plus one position, which only ``<end>`` can fill, so every
    episode ends with an explicit ``<end>`` and :meth:`encode` output replays in full.
    """

    name = "nasgen"
    version = "1"
    has_grammar_mask = True
    accepts_text = True

    def __init__(
        self,
        max_layers: int = TABLE_MAX_LAYERS,
        live: bool = False,
        device: str = "cpu",
        epochs: int | None = None,
        param_coef: float = 0.0,
        macs_coef: float = 0.0,
        cache_path: str | None = None,
    ) -> None:
        if not isinstance(live, bool):
            raise TypeError(f"live must be True or False, got {live!r}")
        self.space = SearchSpace(max_layers=max_layers)
        if not live and max_layers > TABLE_MAX_LAYERS:
            raise ValueError(f"the shipped table covers max_layers <= {TABLE_MAX_LAYERS}, got max_layers={max_layers}; pass live=True to train deeper networks")
        if not live and (device != "cpu" or cache_path is not None):
            raise ValueError("device and cache_path apply to live training only; pass live=True or leave them at their defaults")
        if epochs is not None and (not isinstance(epochs, (int, np.integer)) or epochs < 1):
            raise ValueError(f"epochs must be a positive integer or None, got {epochs!r}")
        self.live = live
        self.device = device
        self.param_coef = float(param_coef)
        self.macs_coef = float(macs_coef)
        self.cache_path = cache_path
        self.vocab = self.space.vocab
        self.max_length = self.space.max_tokens + 1
        self.grammar = ArchitectureGrammar(self.space)
        if live:
            config = TrainingConfig() if epochs is None else TrainingConfig(epochs=int(epochs))
            self.oracle: TabularAccuracy | LiveAccuracy = LiveAccuracy(self.space, config, device, cache_path)
        else:
            self.oracle = TabularAccuracy(self.space, epochs)
        self.epochs = self.oracle.config.epochs if live else self.oracle.epochs
        self.scorer = nas_reward(self.oracle, self.space, self.param_coef, self.macs_coef)

    def params(self) -> dict[str, Any]:
        return {"max_layers": self.space.max_layers, "live": self.live, "epochs": self.epochs, "param_coef": self.param_coef, "macs_coef": self.macs_coef}

    def data_checksums(self) -> dict[str, str]:
        checksums = {"digits_splits": data_checksum()}
        if isinstance(self.oracle, TabularAccuracy):
            checksums["nas_table.json"] = self.oracle.table.sha256[:16]
        return checksums

    # ------------------------------------------------------------------ grammar
    def action_mask(self, tokens: np.ndarray, lengths: np.ndarray, contexts: list[Context]) -> np.ndarray:
        return self.grammar.masks(tokens, lengths)

    def grammar_state(self, num_rows: int) -> AutomatonRows:
        return AutomatonRows(self.grammar.transition, self.grammar.legal, num_rows, self.grammar.start)

    # ------------------------------------------------------------------ decoding
    def decode(self, ids: np.ndarray, context: Context) -> tuple[str, bool]:
        """The token string and whether it is a complete architecture of the space.

        Parsing accepts exactly the walks the grammar mask allows (tested), and is memoised.
        """
        text = " ".join(self.vocab.symbols(ids))
        return text, self._parses(text)

    def _parses(self, text: str) -> bool:
        try:
            self.space.parse(text)
        except ValueError:
            return False
        return True

    def encode(self, sample: str | Architecture, context: Context | None = None) -> np.ndarray:
        """Token ids of an architecture (its string or :class:`Architecture`), plus ``<end>``.

        Raises ``ValueError`` for an architecture outside the space.
        """
        if not isinstance(sample, (str, Architecture)):
            raise TypeError(f"an architecture sample is a token string or an Architecture, got {type(sample).__name__}")
        arch = self.space.parse(sample) if isinstance(sample, str) else sample
        self.space.check(arch)
        return np.append(self.vocab.ids(arch.tokens()), self.vocab.end_id)

    def architecture(self, sample: str) -> Architecture:
        """The :class:`Architecture` of a (valid) sample string."""
        return self.space.parse(sample)

    # ------------------------------------------------------------------ display
    def render_text(self, sample: Any, partial_ids: np.ndarray, context: Context) -> str:
        symbols = self.vocab.symbols(partial_ids)
        text = layer_view(symbols)
        if sample is not None and self._parses(sample):
            arch = self.space.parse(sample)
            text += f"  ({arch.num_params()} params, {arch.num_macs()} MACs)"
        return text

    def render_rgb(self, sample: Any, partial_ids: np.ndarray, context: Context) -> np.ndarray:
        from genenvs.nas.render import draw_architecture

        return draw_architecture(self.vocab.symbols(partial_ids))

    def episode_info(self, sample: Any, context: Context) -> dict[str, Any]:
        try:
            arch = self.space.parse(sample)
        except ValueError:  # an incomplete or malformed architecture (info["valid"] is False)
            return {}
        info = {"architecture": sample, "depth": arch.depth, "num_params": arch.num_params(), "num_macs": arch.num_macs()}
        info.update(self.oracle.details(sample))
        return info


def layer_view(symbols: list[str]) -> str:
    """Tokens grouped by layer: ``adam | conv w16 k3 relu skip | dense w32 ...``."""
    groups: list[list[str]] = []
    for s in symbols:
        if not groups or s in ("conv", "dense"):
            groups.append([])
        groups[-1].append(s)
    return " | ".join(" ".join(g) for g in groups) if groups else "(empty)"


__all__ = ["NASTask", "TABLE_MAX_LAYERS", "layer_view"]
