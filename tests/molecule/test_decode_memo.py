"""The molecule task's decoding shortcuts change no sample, validity or score.

``MoleculeTask`` memoises the parse of each decoded SMILES and hands the heavy-atom count
it saw to the size cap; both must be exact, so they are compared here with the plain
pipeline (SELFIES decoder, RDKit canonical SMILES, ``rdkit.Chem.QED.qed``) on random
token sequences, the kind of samples an untrained agent produces, decoded twice.
"""

import numpy as np
import selfies as sf
from rdkit import Chem
from rdkit.Chem import QED

from genenvs.core.task import Context
from genenvs.molecule.properties import canonical_smiles
from genenvs.molecule.tasks import MoleculeTask
from genenvs.rewards.base import SampleBatch

CAP = 8  # small, so that the cap marks many random molecules invalid


def _random_ids(task, rng, n):
    V = len(task.vocab)
    return [rng.integers(1, V, size=int(rng.integers(1, task.max_length + 1))) for _ in range(n)]


def _reference(task, ids):
    text = task.to_string(ids)
    smiles = sf.decoder(text) if task.kind == "selfies" else text
    canon = canonical_smiles(smiles)
    return (canon, True) if canon is not None else (smiles, False)


def test_decoding_and_scoring_equal_the_plain_pipeline():
    rng = np.random.default_rng(0)
    for kind in ("selfies", "smiles"):
        task = MoleculeTask(kind, "qed", max_heavy_atoms=CAP)
        ids = _random_ids(task, rng, 300)
        decoded = [task.decode(x, Context()) for x in ids * 2]  # the second pass hits the memo
        assert decoded == [_reference(task, x) for x in ids] * 2
        samples = [s for s, _ in decoded]
        result = task.score(SampleBatch(samples=samples, valid=np.array([ok for _, ok in decoded])))
        for (sample, ok), score, valid in zip(decoded, result.scores, result.valid):
            mol = Chem.MolFromSmiles(sample) if ok else None
            fits = mol is not None and mol.GetNumHeavyAtoms() <= CAP
            assert valid == fits
            assert score == (QED.qed(mol) if fits else 0.0)  # bit-identical, not approximately
        assert 0 < sum(result.valid) < len(samples)  # the cap and the parser both had work
