"""Molecule tokenisation helpers."""

import numpy as np

from genenvs.molecule.properties import mol_from_smiles
from genenvs.molecule.tasks import MoleculeTask, _canonical_and_size
from genenvs.molecule.vocab import SmilesClosureCheck


def test_smiles_closure_check_only_rejects_what_rdkit_rejects():
    """The pre-check is a necessary condition: every random token sequence it rejects fails
    RDKit's parse too, and MolSmiles decodes exactly as with RDKit alone."""
    task = MoleculeTask("smiles")
    check = SmilesClosureCheck(task.vocab.tokens)
    assert check(["C", "1", "C", "C", "1"]) and check(["C", "(", "O", ")", "N"])
    assert not check(["C", "1", "C"]) and not check(["C", ")", "("]) and not check(["C", "(", "O"])
    rng = np.random.default_rng(0)
    rejected = 0
    for _ in range(3000):
        ids = rng.integers(1, len(task.vocab), size=rng.integers(1, 40))
        symbols = task.vocab.symbols(ids)
        if not check(symbols):
            rejected += 1
            assert mol_from_smiles("".join(symbols)) is None
        canon, _ = _canonical_and_size("".join(symbols))
        sample, ok = task.decode(ids, None)
        assert ok == (canon is not None) and sample == (canon if ok else "".join(symbols))
    assert rejected > 2000  # most random sequences never reach RDKit
