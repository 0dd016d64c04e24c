"""MOSES-style sample metrics: validity, uniqueness and novelty (Polykovskiy et al., 2020)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import selfies as sf

from genenvs.molecule.properties import canonical_smiles as canonical
from genenvs.molecule.vocab import load_vocab


def ids_to_smiles(kind: str, ids: np.ndarray, lengths: np.ndarray) -> list[str]:
    vocab, _ = load_vocab(kind)
    out = []
    for row, n in zip(ids, lengths):
        text = "".join(vocab.symbols(row[:n]))
        if kind == "selfies":
            try:
                text = sf.decoder(text) or ""
            except sf.DecoderError:
                text = ""
        out.append(text)
    return out


def validity_uniqueness_novelty(smiles: Iterable[str], training_smiles: set[str] | None = None) -> dict[str, float]:
    """Fractions as MOSES defines them: valid / all, unique / valid, novel / unique."""
    smiles = list(smiles)
    canon = [canonical(s) for s in smiles]
    valid = [c for c in canon if c is not None]
    unique = set(valid)
    result = {
        "n": len(smiles),
        "validity": len(valid) / max(len(smiles), 1),
        "uniqueness": len(unique) / max(len(valid), 1),
    }
    if training_smiles is not None:
        train_canon = {canonical(s) for s in training_smiles}
        result["novelty"] = len(unique - train_canon) / max(len(unique), 1)
    return result


def sample_quality(kind: str, ids: np.ndarray, lengths: np.ndarray, training_smiles: set[str] | None = None) -> dict[str, float]:
    return validity_uniqueness_novelty(ids_to_smiles(kind, ids, lengths), training_smiles)
