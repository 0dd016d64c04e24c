"""Diversity metrics reported beside reward: mode collapse is the failure to watch for.

* molecules: internal diversity, the mean pairwise Tanimoto *distance* of Morgan
  fingerprints (MOSES's IntDiv1; Polykovskiy et al., 2020);
* text and other sequences: distinct-n, the fraction of unique n-grams (Li et al., 2016).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any


from baselines.common.envs import budget_unit


def internal_diversity(smiles: Sequence[str]) -> float:
    """Mean Tanimoto distance (Morgan radius 2, 2048 bits) over distinct pairs of molecules.

    MOSES's IntDiv1 (Polykovskiy et al., 2020) without the self-pairs it averages in;
    unparsable strings are skipped, and fewer than two molecules give 0.
    """
    from rdkit import DataStructs

    from genenvs.molecule.fingerprints import morgan_bits
    from genenvs.molecule.properties import mol_from_smiles

    fps = [morgan_bits(m) for m in (mol_from_smiles(s) for s in smiles) if m is not None]
    if len(fps) < 2:
        return 0.0
    total = sum(sum(DataStructs.BulkTanimotoSimilarity(fps[i], fps[i + 1 :])) for i in range(len(fps) - 1))
    pairs = len(fps) * (len(fps) - 1) / 2
    return float(1.0 - total / pairs)


def distinct_n(samples: Sequence[str], n: int) -> float:
    """Distinct word n-grams / all word n-grams over the samples (Li et al., 2016)."""
    grams: list[tuple] = []
    for sample in samples:
        words = sample.split()
        grams.extend(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return len(set(grams)) / len(grams) if grams else 0.0


def sample_diversity_of(samples: Sequence[Any], valid: Sequence[bool] | None = None, molecules: bool = False) -> dict[str, float]:
    """Diversity of the valid ``samples``: molecules (SMILES) or text; ``{}`` for other kinds."""
    kept = [s for s, v in zip(samples, valid if valid is not None else itertools.repeat(True)) if v]
    if not all(isinstance(s, str) for s in kept):
        return {}  # images, waveforms: no cheap standard measure here
    if molecules:
        return {"internal_diversity": internal_diversity(kept), "unique_fraction": len(set(kept)) / max(len(kept), 1)}
    return {"distinct_1": distinct_n(kept, 1), "distinct_2": distinct_n(kept, 2)}


def sample_diversity(env_id: str, samples: Sequence[Any]) -> dict[str, float]:
    """Diversity of a set of samples: internal diversity for molecules, distinct-1/2 for text."""
    return sample_diversity_of(samples, molecules=budget_unit(env_id) == "oracle_calls")


# ---------------------------------------------------------------------------- entry point
