"""Molecular fingerprints and Tanimoto similarity, as the GuacaMol tasks define them.

GuacaMol (Brown et al., 2019) compares molecules with *unfolded count* fingerprints, not
the folded bit vectors common elsewhere, so its similarity numbers are only reproduced
with the same kinds:

========  =========================================================================
ECFP4     Morgan, radius 2, sparse counts (``AllChem.GetMorganFingerprint(mol, 2)``)
ECFP6     Morgan, radius 3, sparse counts
FCFP4     Morgan, radius 2, feature invariants (``useFeatures=True``), sparse counts
FCFP6     Morgan, radius 3, feature invariants, sparse counts
AP        atom pairs up to 10 bonds apart, sparse counts
PHCO      Gobbi & Poppinger 2D pharmacophore fingerprint (sparse bits)
========  =========================================================================

RDKit's ``rdFingerprintGenerator`` is used; its count vectors give the same Tanimoto
values as the deprecated ``GetMorganFingerprint`` / ``GetAtomPairFingerprint`` calls
(checked on 1,000 MOSES molecules). JT-VAE-style constrained optimisation instead uses
folded bits (Morgan radius 2, 2048 bits): :func:`morgan_bits`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

Fingerprint = Any  # an RDKit sparse int vector or bit vector; Tanimoto works on each


@functools.cache
def _morgan_generator(radius: int, features: bool) -> Any:
    invariants = rdFingerprintGenerator.GetMorganFeatureAtomInvGen() if features else None
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, atomInvariantsGenerator=invariants)


@functools.cache
def _atom_pair_generator() -> Any:
    return rdFingerprintGenerator.GetAtomPairGenerator(maxDistance=10)


@functools.cache
def _bit_morgan_generator(radius: int, n_bits: int) -> Any:
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)


def ecfp4(mol: Chem.Mol) -> Fingerprint:
    """Unfolded Morgan count fingerprint, radius 2."""
    return _morgan_generator(2, False).GetSparseCountFingerprint(mol)


def ecfp6(mol: Chem.Mol) -> Fingerprint:
    """Unfolded Morgan count fingerprint, radius 3."""
    return _morgan_generator(3, False).GetSparseCountFingerprint(mol)


def fcfp4(mol: Chem.Mol) -> Fingerprint:
    """Unfolded Morgan count fingerprint on pharmacophoric feature invariants, radius 2."""
    return _morgan_generator(2, True).GetSparseCountFingerprint(mol)


def fcfp6(mol: Chem.Mol) -> Fingerprint:
    """Unfolded Morgan count fingerprint on pharmacophoric feature invariants, radius 3."""
    return _morgan_generator(3, True).GetSparseCountFingerprint(mol)


def atom_pairs(mol: Chem.Mol) -> Fingerprint:
    """Atom-pair count fingerprint, pairs at most 10 bonds apart (GuacaMol's ``AP``)."""
    return _atom_pair_generator().GetSparseCountFingerprint(mol)


def pharmacophore_2d(mol: Chem.Mol) -> Fingerprint:
    """Gobbi 2D pharmacophore fingerprint (GuacaMol's ``PHCO``, used by the hop tasks)."""
    from rdkit.Chem.Pharm2D import Generate, Gobbi_Pharm2D

    return Generate.Gen2DFingerprint(mol, Gobbi_Pharm2D.factory)


FINGERPRINTS: dict[str, Callable[[Chem.Mol], Fingerprint]] = {
    "ECFP4": ecfp4,
    "ECFP6": ecfp6,
    "FCFP4": fcfp4,
    "FCFP6": fcfp6,
    "AP": atom_pairs,
    "PHCO": pharmacophore_2d,
}


def fingerprint(mol: Chem.Mol, kind: str) -> Fingerprint:
    """Fingerprint of ``mol`` of a GuacaMol ``kind`` (``"ECFP4"``, ``"FCFP4"``, ``"AP"``...)."""
    try:
        fn = FINGERPRINTS[kind]
    except KeyError:
        raise ValueError(f"unknown fingerprint kind {kind!r}; choose one of {sorted(FINGERPRINTS)}") from None
    return fn(mol)


@functools.lru_cache(maxsize=256)
def reference_fingerprint(smiles: str, kind: str) -> Fingerprint:
    """Fingerprint of a target molecule, computed once per process and kind."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"target molecule {smiles!r} is not a valid SMILES")
    return fingerprint(mol, kind)


def tanimoto(fp_a: Fingerprint, fp_b: Fingerprint) -> float:
    """Tanimoto similarity of two fingerprints of the same kind, in [0, 1].

    On count vectors this is RDKit's generalised form
    ``sum(min(a_i, b_i)) / (sum(a_i) + sum(b_i) - sum(min(a_i, b_i)))``, as GuacaMol uses.
    """
    return float(DataStructs.TanimotoSimilarity(fp_a, fp_b))


def bulk_tanimoto(reference: Fingerprint, fps: Sequence[Fingerprint]) -> np.ndarray:
    """Tanimoto of ``reference`` to each of ``fps`` in one C++ loop, shape ``(len(fps),)``."""
    if not fps:
        return np.zeros(0, dtype=np.float64)
    return np.asarray(DataStructs.BulkTanimotoSimilarity(reference, list(fps)), dtype=np.float64)


def morgan_bits(mol: Chem.Mol, radius: int = 2, n_bits: int = 2048) -> Fingerprint:
    """Folded Morgan bit vector (JT-VAE's similarity for constrained optimisation)."""
    return _bit_morgan_generator(radius, n_bits).GetFingerprint(mol)


def morgan_bits_array(mol: Chem.Mol, radius: int = 2, n_bits: int = 2048) -> np.ndarray:
    """Folded Morgan bits as a ``uint8`` array of shape ``(n_bits,)``, e.g. an observation."""
    return _bit_morgan_generator(radius, n_bits).GetFingerprintAsNumPy(mol).astype(np.uint8, copy=False)


__all__ = [
    "FINGERPRINTS",
    "atom_pairs",
    "bulk_tanimoto",
    "ecfp4",
    "ecfp6",
    "fcfp4",
    "fcfp6",
    "fingerprint",
    "morgan_bits",
    "morgan_bits_array",
    "pharmacophore_2d",
    "reference_fingerprint",
    "tanimoto",
]
