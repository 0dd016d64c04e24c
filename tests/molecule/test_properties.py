"""Single-molecule properties: QED, SA, logP and both penalized-logP definitions."""

from __future__ import annotations

import random

import pytest
from rdkit import Chem
from rdkit.Chem import QED, Crippen

from genenvs.molecule import properties as P

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"
C38_ALKANE = "C" * 38

# Linear pieces that concatenate into SMILES; some joins are invalid and are dropped.
_FRAGMENTS = [
    "C", "CC", "C(C)", "C(=O)", "C(=O)N", "N", "NC(=O)", "O", "S", "S(=O)(=O)", "F", "Cl", "C(F)(F)F",
    "c1ccccc1", "c1ccncc1", "c1ccc(O)cc1", "c1ccc2ccccc2c1", "C1CCNCC1", "C1CCOCC1", "c1ccsc1", "c1cn[nH]c1",
    "N1CCN(C)CC1", "C#N", "OC", "C=C",
]


def random_molecules(n: int, seed: int = 0) -> list[Chem.Mol]:
    """``n`` distinct RDKit-parsable molecules made of 2 to 6 random fragments."""
    rng = random.Random(seed)
    seen: dict[str, Chem.Mol] = {}
    while len(seen) < n:
        smiles = "".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(2, 6)))
        mol = P.mol_from_smiles(smiles)
        if mol is not None:
            seen.setdefault(Chem.MolToSmiles(mol), mol)
    return list(seen.values())


@pytest.fixture(scope="module")
def molecules() -> list[Chem.Mol]:
    return random_molecules(300)


def test_qed_of_aspirin_is_rdkits_value():
    mol = P.mol_from_smiles(ASPIRIN)
    assert P.qed(mol) == QED.qed(mol)
    assert P.qed(mol) == pytest.approx(0.5501, abs=1e-4)


def test_qed_stays_below_its_known_maximum(molecules):
    values = [P.qed(m) for m in molecules]
    assert 0.0 < min(values) and max(values) <= 0.948


def test_sa_is_on_its_scale(molecules):
    values = [P.sa(m) for m in molecules]
    assert all(1.0 <= v <= 10.0 for v in values)


def test_penalized_logp_of_the_c38_alkane():
    mol = P.mol_from_smiles(C38_ALKANE)
    assert P.logp(mol) == pytest.approx(15.0698, abs=1e-4)
    assert P.sa(mol) == pytest.approx(1.19326, abs=1e-4)
    assert P.cycle_penalty(mol) == 0
    assert P.plogp(mol) == pytest.approx(11.194, abs=1e-3)  # JT-VAE / GCPN normalised scale
    assert P.plogp_unnormalized(mol) == pytest.approx(13.877, abs=1e-3)  # MolDQN scale


def test_plogp_standardises_each_term_with_zinc_statistics():
    mol = P.mol_from_smiles("C1CCCCCCCCCCC1CCO")  # 12-ring: cycle penalty 6
    logp, sa, cycle = Crippen.MolLogP(mol), P.sa(mol), 6
    assert P.cycle_penalty(mol) == cycle
    expected = (logp - 2.4570953396190123) / 1.434324401111988 + (-sa + 3.0525811293166134) / 0.8335207024513095 + (-cycle + 0.0485696876403053) / 0.2860212110245455
    assert P.plogp(mol) == pytest.approx(expected, rel=1e-12)
    assert P.plogp_unnormalized(mol) == pytest.approx(logp - sa - cycle, rel=1e-12)


@pytest.mark.parametrize(("smiles", "largest", "penalty"), [("CCO", 0, 0), ("c1ccccc1", 6, 0), ("C1CCCCCCC1", 8, 2), ("c1ccc2ccccc2c1", 6, 0)])
def test_ring_penalty(smiles, largest, penalty):
    mol = P.mol_from_smiles(smiles)
    assert P.largest_ring_size(mol) == largest
    assert P.cycle_penalty(mol) == penalty


@pytest.mark.parametrize("bad", ["", "   ", "C1CC", "not a smiles", "c1cccc1", None, 42])
def test_mol_from_smiles_returns_none_for_invalid_input(bad):
    assert P.mol_from_smiles(bad) is None
    assert P.canonical_smiles(bad) is None


def test_canonical_smiles_and_heavy_atoms():
    assert P.canonical_smiles("OCC") == P.canonical_smiles("C(O)C") == "CCO"
    assert P.canonical_smiles("C[C@H](N)C(=O)O") == "C[C@H](N)C(=O)O"  # stereo kept
    assert P.heavy_atom_count(P.mol_from_smiles(ASPIRIN)) == 13
