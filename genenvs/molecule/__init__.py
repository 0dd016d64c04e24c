"""Molecule domain: MolGen-v0 (SELFIES), MolSmiles-v0 (SMILES), MolGraph-v0 (graph edits).

Public scoring API: ``score(objective, smiles)``, ``list_objectives()``,
``get_objective(name)``, ``make_scorer(name)``. Attributes load lazily so that
``import genenvs`` (which registers the environments) does not import RDKit.
"""

from __future__ import annotations

from genenvs.core.lazy import lazy_attributes

_LAZY = {
    "score": "genenvs.molecule.objectives",
    "list_objectives": "genenvs.molecule.objectives",
    "get_objective": "genenvs.molecule.objectives",
    "make_scorer": "genenvs.molecule.objectives",
    "MoleculeTask": "genenvs.molecule.tasks",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_attributes(__name__, _LAZY)
