"""Molecule drawings for ``render_mode="rgb_array"``."""

from __future__ import annotations

import numpy as np
from rdkit.Chem import Draw

from genenvs.molecule.properties import mol_from_smiles

SIZE = (300, 300)


def draw_molecule(smiles: str | None, size: tuple[int, int] = SIZE) -> np.ndarray:
    """RGB uint8 array ``(H, W, 3)`` of the molecule; a blank canvas if it does not parse."""
    mol = mol_from_smiles(smiles or "")
    if mol is None:
        return np.full((size[1], size[0], 3), 255, dtype=np.uint8)
    image = Draw.MolToImage(mol, size=size)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)
