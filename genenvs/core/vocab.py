"""Token vocabularies shared by every token-level environment.

Layout, fixed for the whole suite so agents can be reused across domains:

* id ``0`` is the end token ``<end>``: choosing it finishes the sample;
* ids ``1 .. V-1`` are the domain's symbols;
* observations pad unused positions with ``pad_id == V`` (one past the last action), so
  action ids and observation ids are the same numbers and an embedding table needs
  ``V + 1`` rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

END = "<end>"


class Vocabulary:
    """An ordered list of symbols with ``<end>`` at id 0."""

    def __init__(self, symbols: Iterable[str]) -> None:
        symbols = [s for s in symbols if s != END]
        if len(set(symbols)) != len(symbols):
            dup = sorted({s for s in symbols if symbols.count(s) > 1})
            raise ValueError(f"vocabulary has duplicate symbols: {dup[:10]}")
        self.tokens: tuple[str, ...] = (END, *symbols)
        self._index = {tok: i for i, tok in enumerate(self.tokens)}

    # -- sizes and special ids -------------------------------------------------------
    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def end_id(self) -> int:
        return 0

    @property
    def pad_id(self) -> int:
        return len(self.tokens)

    # -- conversion -------------------------------------------------------------------
    def __contains__(self, token: str) -> bool:
        return token in self._index

    def index(self, token: str) -> int:
        try:
            return self._index[token]
        except KeyError:
            raise ValueError(f"token {token!r} is not in the vocabulary ({len(self)} symbols)") from None

    def ids(self, tokens: Sequence[str]) -> np.ndarray:
        """Ids of ``tokens`` (no end token appended)."""
        return np.fromiter((self.index(t) for t in tokens), dtype=np.int64, count=len(tokens))

    def symbols(self, ids: Iterable[int]) -> list[str]:
        """Symbols of ``ids`` up to (excluding) the first end or pad id."""
        # Plain lists: samples are tens of tokens, where numpy's per-call cost would
        # dominate (this runs for every finished episode).
        ids = ids.tolist() if isinstance(ids, np.ndarray) else list(ids)
        for stop in (self.end_id, self.pad_id):
            if stop in ids:
                ids = ids[: ids.index(stop)]
        symbols = self.tokens
        return [symbols[i] for i in ids]

    # -- persistence and identity ---------------------------------------------------
    def checksum(self) -> str:
        return hashlib.sha256("\n".join(self.tokens).encode()).hexdigest()[:16]

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"tokens": list(self.tokens[1:])}, indent=0))

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        return cls(json.loads(Path(path).read_text())["tokens"])

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens)"
