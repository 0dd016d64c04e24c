"""Small RDKit helpers used by the molecule tasks: parsing and canonical SMILES."""

from __future__ import annotations

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")  # invalid samples are expected; their parse errors are not news


def parse(smiles: str) -> Chem.Mol | None:
    """RDKit molecule of ``smiles``, or ``None`` if it is empty or does not parse."""
    if not smiles:
        return None
    mol = Chem.MolFromSmiles(smiles)
    if mol is None or mol.GetNumAtoms() == 0:
        return None
    return mol


def canonical(smiles: str) -> str | None:
    mol = parse(smiles)
    return None if mol is None else Chem.MolToSmiles(mol)
