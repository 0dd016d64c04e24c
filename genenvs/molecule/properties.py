"""Single-molecule properties used as rewards: QED, SA, logP and penalized logP.

Every function takes an RDKit ``Mol`` and returns a float, so a batch is a loop over
molecules parsed once (see :mod:`genenvs.molecule.objectives`). The penalized-logP
definitions follow the papers that made them benchmarks; the literature uses two
different numbers under the same name, so both are here with separate names:

* :func:`plogp` -- JT-VAE (Jin et al., 2018), GCPN (You et al., 2018) and TDC: each of
  logP, -SA and -cycle penalty is standardised with its ZINC250k mean and standard
  deviation before the three are summed.
* :func:`plogp_unnormalized` -- MolDQN (Zhou et al., 2019) and most later RL papers:
  ``logP - SA - cycle penalty`` on the raw scales.

For the C38 linear alkane (``"C" * 38``) RDKit gives logP 15.0698 and SA 1.1933, hence
``plogp = 11.194`` and ``plogp_unnormalized = 13.877``; a reported "penalized logP" of
about 11.2 is the normalised score, one of about 13.9 the unnormalised one.
"""

from __future__ import annotations

from rdkit import Chem, rdBase
from rdkit.Chem import QED, Crippen
from rdkit.Contrib.SA_Score import sascorer

# ZINC250k statistics used by JT-VAE / GCPN / TDC to standardise the three terms of
# penalized logP. The SA and cycle means are of the *negated* terms (-SA, -cycle).
LOGP_MEAN = 2.4570953396190123
LOGP_STD = 1.434324401111988
NEG_SA_MEAN = -3.0525811293166134
NEG_SA_STD = 0.8335207024513095
NEG_CYCLE_MEAN = -0.0485696876403053
NEG_CYCLE_STD = 0.2860212110245455


# ---------------------------------------------------------------------------- parsing


def mol_from_smiles(smiles: object) -> Chem.Mol | None:
    """RDKit molecule of ``smiles``, or ``None`` if it is not a non-empty, parsable SMILES.

    Parse errors are expected from generators, so RDKit's error log is silenced for the
    call only (no global logging change).
    """
    if not isinstance(smiles, str) or not smiles.strip():
        return None
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(smiles)
    if mol is None or mol.GetNumAtoms() == 0:
        return None
    return mol


def canonical_smiles(smiles: object) -> str | None:
    """RDKit canonical SMILES of ``smiles`` (stereo kept), or ``None`` if it does not parse."""
    mol = mol_from_smiles(smiles)
    return None if mol is None else Chem.MolToSmiles(mol)


def heavy_atom_count(mol: Chem.Mol) -> int:
    """Number of non-hydrogen atoms (the size cap of ZINC250k-style tasks is 38)."""
    return mol.GetNumHeavyAtoms()


# ------------------------------------------------------------------------- properties


def qed(mol: Chem.Mol) -> float:
    """Quantitative estimate of drug-likeness (Bickerton et al., 2012), in [0, 1].

    RDKit's implementation with the paper's default weights; the best known value over
    real molecules is about 0.948. RDKit's warnings (e.g. about a lone hydrogen atom,
    common in generated samples) are silenced for the call: writing them costs more
    than the score.
    """
    with rdBase.BlockLogs():
        return float(QED.qed(mol))


def sa(mol: Chem.Mol) -> float:
    """Synthetic accessibility score (Ertl & Schuffenhauer, 2009): 1 (easy) to 10 (hard).

    Uses the fragment contributions shipped with RDKit's Contrib ``SA_Score``.
    """
    return float(sascorer.calculateScore(mol))


def logp(mol: Chem.Mol) -> float:
    """Wildman-Crippen octanol/water logP (RDKit ``MolLogP``)."""
    return float(Crippen.MolLogP(mol))


def largest_ring_size(mol: Chem.Mol) -> int:
    """Atoms in the largest ring of RDKit's ring perception (SSSR); 0 without rings."""
    rings = mol.GetRingInfo().AtomRings()
    return max((len(ring) for ring in rings), default=0)


def cycle_penalty(mol: Chem.Mol) -> int:
    """``max(largest ring size - 6, 0)``: penalized logP's penalty for macrocycles.

    JT-VAE takes the largest ring from networkx's cycle basis; MolDQN, like this
    function, from RDKit's ring info. The two agree on all but a few bridged or fused
    systems (0.4 % of 20,000 MOSES training molecules).
    """
    return max(largest_ring_size(mol) - 6, 0)


def plogp(mol: Chem.Mol) -> float:
    """Normalised penalized logP (JT-VAE / GCPN / TDC).

    ``(logP - 2.457)/1.434 + (-SA + 3.053)/0.834 + (-cycle + 0.0486)/0.286``, i.e. each
    term standardised with the ZINC250k statistics above. C38 alkane: 11.194.
    """
    return (
        (logp(mol) - LOGP_MEAN) / LOGP_STD
        + (-sa(mol) - NEG_SA_MEAN) / NEG_SA_STD
        + (-cycle_penalty(mol) - NEG_CYCLE_MEAN) / NEG_CYCLE_STD
    )


def plogp_unnormalized(mol: Chem.Mol) -> float:
    """Unnormalised penalized logP (MolDQN): ``logP - SA - cycle penalty``. C38 alkane: 13.877."""
    return logp(mol) - sa(mol) - cycle_penalty(mol)


__all__ = [
    "canonical_smiles",
    "cycle_penalty",
    "heavy_atom_count",
    "largest_ring_size",
    "logp",
    "mol_from_smiles",
    "plogp",
    "plogp_unnormalized",
    "qed",
    "sa",
]
