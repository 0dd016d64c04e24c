"""GuacaMol goal-directed tasks, rebuilt from their published definitions.

Brown, Fiscato, Segler & Vaucher, "GuacaMol: Benchmarking Models for de Novo Molecular
Design", J. Chem. Inf. Model. 59, 1096 (2019), Table 3 and the v2 goal-directed suite;
TDC (Huang et al., 2021) and PMO (Gao et al., 2022) reuse the same 20 tasks as oracles.

A task is a list of :class:`Term` (a descriptor of the molecule passed through a
GuacaMol score modifier) combined by an arithmetic or geometric mean, so every task is
in [0, 1] and every term can be reported on its own. Fingerprints are computed once per
molecule and kind, and target fingerprints once per process.

Two choices differ between the references; here they follow the GuacaMol paper's v2
suite: aripiprazole similarity uses ECFP4 (TDC uses FCFP4), and the isomer score is the
*geometric* mean of its per-element terms (GuacaMol's first release used the arithmetic
mean). GuacaMol gives unparsable molecules -1; genenvs gives them the objective's
``invalid_score`` (0 for these tasks), see :mod:`genenvs.molecule.objectives`.

The module also holds the similarity-constrained penalized-logP task of JT-VAE and MolDQN
(:class:`ConstrainedPlogp`), which is not part of GuacaMol but has the same shape.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
from rdkit import Chem
from rdkit.Chem import Descriptors, rdMolDescriptors

from genenvs.molecule import fingerprints as fp
from genenvs.molecule import properties
from genenvs.rewards.modifiers import Clipped, Gaussian, Identity, MaxGaussian, MinGaussian, Modifier

Evaluation = tuple[np.ndarray, dict[str, np.ndarray]]

# Target molecules as GuacaMol writes them.
CELECOXIB = "CC1=CC=C(C=C1)C1=CC(=NN1C1=CC=C(C=C1)S(N)(=O)=O)C(F)(F)F"
TROGLITAZONE = "Cc1c(C)c2OC(C)(COc3ccc(CC4SC(=O)NC4=O)cc3)CCc2c(C)c1O"
THIOTHIXENE = "CN(C)S(=O)(=O)c1ccc2Sc3ccccc3C(=CCCN4CCN(C)CC4)c2c1"
ARIPIPRAZOLE = "Clc4cccc(N3CCN(CCCCOc2ccc1c(NC(=O)CC1)c2)CC3)c4Cl"
ALBUTEROL = "CC(C)(C)NCC(O)c1ccc(O)c(CO)c1"
MESTRANOL = "COc1ccc2[C@H]3CC[C@@]4(C)[C@@H](CC[C@@]4(O)C#C)[C@@H]3CCc2c1"
CAMPHOR = "CC1(C)C2CCC1(C)C(=O)C2"
MENTHOL = "CC(C)C1CCC(C)CC1O"
TADALAFIL = "O=C1N(CC(N2C1CC3=C(C2C4=CC5=C(OCO5)C=C4)NC6=C3C=CC=C6)=O)C"
SILDENAFIL = "CCCC1=NN(C2=C1N=C(NC2=O)C3=C(C=CC(=C3)S(=O)(=O)N4CCN(CC4)C)OCC)C"
OSIMERTINIB = "COc1cc(N(C)CCN(C)C)c(NC(=O)C=C)cc1Nc2nccc(n2)c3cn(C)c4ccccc34"
FEXOFENADINE = "CC(C)(C(=O)O)c1ccc(cc1)C(O)CCCN2CCC(CC2)C(O)(c3ccccc3)c4ccccc4"
RANOLAZINE = "COc1ccccc1OCC(O)CN2CCN(CC(=O)Nc3c(C)cccc3C)CC2"
PERINDOPRIL = "O=C(OCC)C(NC(C(=O)N1C(C(=O)O)CC2CCCCC12)C)CCC"
AMLODIPINE = r"Clc1ccccc1C2C(=C(/N/C(=C2/C(=O)OCC)COCCN)C)\C(=O)OC"
SITAGLIPTIN = "Fc1cc(c(F)cc1F)CC(N)CC(=O)N3Cc2nnc(n2CC3)C(F)(F)F"
ZALEPLON = "O=C(C)N(CC)C1=CC=CC(C2=CC=NC3=C(C=NN23)C#N)=C1"
HOP_START = "CCCOc1cc2ncnc(Nc3ccc4ncsc4c3)c2cc1S(=O)(=O)C(C)(C)C"

# SMARTS of the valsartan and hop tasks (GuacaMol Table 3 footnote).
VALSARTAN_SMARTS = "CN(C=O)Cc1ccc(c2ccccc2)cc1"
HOP_SCAFFOLD_SMARTS = "[#7]-c1n[c;h1]nc2[c;h1]c(-[#8])[c;h0][c;h1]c12"
HOP_DECORATION_SMARTS = "[#6]-[#6]-[#6]-[#8]-[#6]~[#6]~[#6]~[#6]~[#6]-[#7]-c1ccc2ncsc2c1"
HOP_SULFONE_SMARTS = "CS([#6])(=O)=O"
HOP_BENZOTHIAZOLE_SMARTS = "[#7]-c1ccc2ncsc2c1"


# -------------------------------------------------------------------------- descriptors


@dataclasses.dataclass(frozen=True)
class Similarity:
    """Tanimoto similarity to ``target`` with a GuacaMol fingerprint kind."""

    target: str
    fingerprint: str = "ECFP4"

    def __call__(self, mol: Chem.Mol) -> float:
        return fp.tanimoto(fp.fingerprint(mol, self.fingerprint), fp.reference_fingerprint(self.target, self.fingerprint))

    def from_fingerprints(self, fps: Sequence[fp.Fingerprint]) -> np.ndarray:
        """Similarities of molecules whose ``fingerprint`` kind is already computed."""
        return fp.bulk_tanimoto(fp.reference_fingerprint(self.target, self.fingerprint), fps)


@functools.cache
def _smarts_pattern(smarts: str) -> Chem.Mol:
    pattern = Chem.MolFromSmarts(smarts)
    if pattern is None:
        raise ValueError(f"invalid SMARTS pattern {smarts!r}")
    return pattern


@dataclasses.dataclass(frozen=True)
class SmartsMatch:
    """1.0 when the substructure's presence is as wanted (``present``), else 0.0."""

    smarts: str
    present: bool = True

    def __call__(self, mol: Chem.Mol) -> float:
        return float(mol.HasSubstructMatch(_smarts_pattern(self.smarts)) == self.present)


@dataclasses.dataclass(frozen=True)
class AtomCount:
    """Number of atoms of ``element``, implicit hydrogens included for ``"H"``."""

    element: str

    def __call__(self, mol: Chem.Mol) -> float:
        count = sum(1 for atom in mol.GetAtoms() if atom.GetSymbol() == self.element)
        if self.element == "H":
            count += sum(atom.GetTotalNumHs() for atom in mol.GetAtoms())
        return float(count)


def total_atom_count(mol: Chem.Mol) -> float:
    """Number of atoms, hydrogens included (GuacaMol counts them after ``AddHs``)."""
    return float(mol.GetNumAtoms(onlyExplicit=False))


def tpsa(mol: Chem.Mol) -> float:
    return float(Descriptors.TPSA(mol))


def bertz(mol: Chem.Mol) -> float:
    return float(Descriptors.BertzCT(mol))


def num_rings(mol: Chem.Mol) -> float:
    return float(rdMolDescriptors.CalcNumRings(mol))


def num_aromatic_rings(mol: Chem.Mol) -> float:
    return float(rdMolDescriptors.CalcNumAromaticRings(mol))


# -------------------------------------------------------------------------------- tasks


@dataclasses.dataclass(frozen=True)
class Term:
    """One property of a task: ``modifier(descriptor(mol))``, reported under ``name``."""

    name: str
    descriptor: Callable[[Chem.Mol], float]
    modifier: Modifier = Identity()


@dataclasses.dataclass(frozen=True)
class GoalTask:
    """A GuacaMol scoring function: the arithmetic or geometric mean of its terms."""

    name: str
    terms: tuple[Term, ...]
    aggregation: Literal["arithmetic", "geometric"] = "geometric"
    description: str = ""

    def __post_init__(self) -> None:
        if not self.terms:
            raise ValueError(f"task {self.name!r} needs at least one term")
        if self.aggregation not in ("arithmetic", "geometric"):
            raise ValueError(f"aggregation must be 'arithmetic' or 'geometric', got {self.aggregation!r}")

    def evaluate(self, mols: Sequence[Chem.Mol]) -> Evaluation:
        """Scores of ``mols`` (shape ``(n,)``) and each modified term by name."""
        n = len(mols)
        kinds = {t.descriptor.fingerprint for t in self.terms if isinstance(t.descriptor, Similarity)}
        fps = {kind: [fp.fingerprint(m, kind) for m in mols] for kind in kinds}
        terms: dict[str, np.ndarray] = {}
        for term in self.terms:
            if isinstance(term.descriptor, Similarity):
                raw = term.descriptor.from_fingerprints(fps[term.descriptor.fingerprint])
            else:
                raw = np.fromiter((term.descriptor(m) for m in mols), dtype=np.float64, count=n)
            terms[term.name] = np.asarray(term.modifier(raw), dtype=np.float64)
        matrix = np.stack(list(terms.values()))
        if self.aggregation == "arithmetic":
            scores = matrix.mean(axis=0)
        else:
            scores = np.prod(matrix, axis=0) ** (1.0 / len(self.terms))
        return scores, terms

    def __call__(self, mol: Chem.Mol) -> float:
        return float(self.evaluate([mol])[0][0])


def similarity_task(name: str, target: str, fingerprint: str = "ECFP4", threshold: float = 1.0, description: str = "") -> GoalTask:
    """Tanimoto similarity to ``target``, clipped: full score from ``threshold`` on.

    ``threshold=1.0`` is a rediscovery task (only the target itself scores 1).
    """
    term = Term(f"similarity_{fingerprint.lower()}", Similarity(target, fingerprint), Clipped(upper_x=threshold))
    return GoalTask(name, (term,), "arithmetic", description or f"Tanimoto similarity ({fingerprint}) to {target}, clipped at {threshold}.")


_FORMULA_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*)")


def parse_formula(formula: str) -> dict[str, int]:
    """Element counts of a molecular formula such as ``"C9H10N2O2PF2Cl"``."""
    if not isinstance(formula, str) or not formula or "".join(m.group(0) for m in _FORMULA_TOKEN.finditer(formula)) != formula:
        raise ValueError(f"cannot read molecular formula {formula!r}; write it like 'C11H24' or 'C9H10N2O2PF2Cl'")
    counts: dict[str, int] = {}
    for element, number in _FORMULA_TOKEN.findall(formula):
        counts[element] = counts.get(element, 0) + (int(number) if number else 1)
    return counts


def isomer_task(formula: str, name: str | None = None) -> GoalTask:
    """Closeness to a molecular formula (GuacaMol's isomer scoring function).

    Geometric mean of a Gaussian (sigma 1) on each element's count and a Gaussian
    (sigma 2) on the total number of atoms, hydrogens included: 1 exactly for isomers.
    Elements absent from the formula cost only through the total count, as in GuacaMol.
    """
    counts = parse_formula(formula)
    terms = [Term(f"n_{element}", AtomCount(element), Gaussian(mu=n, sigma=1.0)) for element, n in counts.items()]
    terms.append(Term("n_atoms", total_atom_count, Gaussian(mu=sum(counts.values()), sigma=2.0)))
    return GoalTask(name or f"isomers_{formula.lower()}", tuple(terms), "geometric", f"Isomers of {formula}: 1 for any molecule with exactly this formula.")


def _sitagliptin_targets() -> tuple[float, float, float]:
    mol = Chem.MolFromSmiles(SITAGLIPTIN)
    return properties.logp(mol), tpsa(mol), bertz(mol)


def _median(name: str, first: tuple[str, str], second: tuple[str, str], fingerprint: str) -> GoalTask:
    terms = tuple(Term(f"{label}_{fingerprint.lower()}", Similarity(smiles, fingerprint)) for label, smiles in (first, second))
    return GoalTask(name, terms, "geometric", f"Geometric mean of {fingerprint} similarities to {first[0]} and {second[0]}.")


def osimertinib_mpo() -> GoalTask:
    return GoalTask("osimertinib_mpo", (
        Term("osimertinib_fcfp4", Similarity(OSIMERTINIB, "FCFP4"), Clipped(upper_x=0.8)),
        Term("osimertinib_ecfp6", Similarity(OSIMERTINIB, "ECFP6"), MinGaussian(mu=0.85, sigma=0.1)),
        Term("tpsa", tpsa, MaxGaussian(mu=100, sigma=10)),
        Term("logp", properties.logp, MinGaussian(mu=1, sigma=1)),
    ), "geometric", "Similar to osimertinib (FCFP4), not too similar (ECFP6), TPSA over 100, logP under 1.")


def fexofenadine_mpo() -> GoalTask:
    return GoalTask("fexofenadine_mpo", (
        Term("fexofenadine_ap", Similarity(FEXOFENADINE, "AP"), Clipped(upper_x=0.8)),
        Term("tpsa", tpsa, MaxGaussian(mu=90, sigma=10)),
        Term("logp", properties.logp, MinGaussian(mu=4, sigma=1)),
    ), "geometric", "Similar to fexofenadine (AP) but less greasy: TPSA over 90, logP under 4.")


def ranolazine_mpo() -> GoalTask:
    return GoalTask("ranolazine_mpo", (
        Term("ranolazine_ap", Similarity(RANOLAZINE, "AP"), Clipped(upper_x=0.7)),
        Term("logp", properties.logp, MaxGaussian(mu=7, sigma=1)),
        Term("tpsa", tpsa, MaxGaussian(mu=95, sigma=20)),
        Term("n_F", AtomCount("F"), Gaussian(mu=1, sigma=1.0)),
    ), "geometric", "Similar to ranolazine (AP), logP over 7, TPSA over 95, one fluorine.")


def perindopril_mpo() -> GoalTask:
    return GoalTask("perindopril_mpo", (
        Term("perindopril_ecfp4", Similarity(PERINDOPRIL, "ECFP4")),
        Term("aromatic_rings", num_aromatic_rings, Gaussian(mu=2, sigma=0.5)),
    ), "geometric", "Similar to perindopril (ECFP4) with two aromatic rings.")


def amlodipine_mpo() -> GoalTask:
    return GoalTask("amlodipine_mpo", (
        Term("amlodipine_ecfp4", Similarity(AMLODIPINE, "ECFP4")),
        Term("rings", num_rings, Gaussian(mu=3, sigma=0.5)),
    ), "geometric", "Similar to amlodipine (ECFP4) with three rings.")


def sitagliptin_mpo() -> GoalTask:
    target_logp, target_tpsa, _ = _sitagliptin_targets()
    return GoalTask("sitagliptin_mpo", (
        Term("sitagliptin_ecfp4", Similarity(SITAGLIPTIN, "ECFP4"), Gaussian(mu=0, sigma=0.1)),
        Term("logp", properties.logp, Gaussian(mu=target_logp, sigma=0.2)),
        Term("tpsa", tpsa, Gaussian(mu=target_tpsa, sigma=5)),
        Term("isomer_c16h15f6n5o", isomer_task("C16H15F6N5O")),
    ), "geometric", "Dissimilar to sitagliptin (ECFP4) but with its logP, TPSA and formula C16H15F6N5O.")


def zaleplon_mpo() -> GoalTask:
    return GoalTask("zaleplon_mpo", (
        Term("zaleplon_ecfp4", Similarity(ZALEPLON, "ECFP4")),
        Term("isomer_c19h17n3o2", isomer_task("C19H17N3O2")),
    ), "geometric", "Similar to zaleplon (ECFP4) with formula C19H17N3O2.")


def valsartan_smarts() -> GoalTask:
    target_logp, target_tpsa, target_bertz = _sitagliptin_targets()
    return GoalTask("valsartan_smarts", (
        Term("valsartan_smarts", SmartsMatch(VALSARTAN_SMARTS, present=True)),
        Term("logp", properties.logp, Gaussian(mu=target_logp, sigma=0.2)),
        Term("tpsa", tpsa, Gaussian(mu=target_tpsa, sigma=5)),
        Term("bertz", bertz, Gaussian(mu=target_bertz, sigma=30)),
    ), "geometric", "Contains valsartan's SMARTS with sitagliptin's logP, TPSA and Bertz complexity.")


def deco_hop() -> GoalTask:
    return GoalTask("deco_hop", (
        Term("start_phco", Similarity(HOP_START, "PHCO"), Clipped(upper_x=0.85)),
        Term("no_sulfone", SmartsMatch(HOP_SULFONE_SMARTS, present=False)),
        Term("no_benzothiazole_amine", SmartsMatch(HOP_BENZOTHIAZOLE_SMARTS, present=False)),
        Term("keeps_scaffold", SmartsMatch(HOP_SCAFFOLD_SMARTS, present=True)),
    ), "arithmetic", "Keep the quinazoline scaffold and pharmacophore (PHCO), change the decorations.")


def scaffold_hop() -> GoalTask:
    return GoalTask("scaffold_hop", (
        Term("start_phco", Similarity(HOP_START, "PHCO"), Clipped(upper_x=0.75)),
        Term("keeps_decoration", SmartsMatch(HOP_DECORATION_SMARTS, present=True)),
        Term("no_scaffold", SmartsMatch(HOP_SCAFFOLD_SMARTS, present=False)),
    ), "arithmetic", "Keep the decorations and pharmacophore (PHCO), replace the quinazoline scaffold.")


#: The 20 tasks of GuacaMol's v2 goal-directed suite, by TDC oracle name.
TASKS: dict[str, Callable[[], GoalTask]] = {
    "celecoxib_rediscovery": lambda: similarity_task("celecoxib_rediscovery", CELECOXIB, "ECFP4", 1.0, "Rediscover celecoxib: ECFP4 Tanimoto similarity to it."),
    "troglitazone_rediscovery": lambda: similarity_task("troglitazone_rediscovery", TROGLITAZONE, "ECFP4", 1.0, "Rediscover troglitazone: ECFP4 Tanimoto similarity to it."),
    "thiothixene_rediscovery": lambda: similarity_task("thiothixene_rediscovery", THIOTHIXENE, "ECFP4", 1.0, "Rediscover thiothixene: ECFP4 Tanimoto similarity to it."),
    "aripiprazole_similarity": lambda: similarity_task("aripiprazole_similarity", ARIPIPRAZOLE, "ECFP4", 0.75, "ECFP4 similarity to aripiprazole, full score from 0.75."),
    "albuterol_similarity": lambda: similarity_task("albuterol_similarity", ALBUTEROL, "FCFP4", 0.75, "FCFP4 similarity to albuterol, full score from 0.75."),
    "mestranol_similarity": lambda: similarity_task("mestranol_similarity", MESTRANOL, "AP", 0.75, "Atom-pair similarity to mestranol, full score from 0.75."),
    "isomers_c11h24": lambda: isomer_task("C11H24"),
    "isomers_c9h10n2o2pf2cl": lambda: isomer_task("C9H10N2O2PF2Cl"),
    "median1": lambda: _median("median1", ("camphor", CAMPHOR), ("menthol", MENTHOL), "ECFP4"),
    "median2": lambda: _median("median2", ("tadalafil", TADALAFIL), ("sildenafil", SILDENAFIL), "ECFP6"),
    "osimertinib_mpo": osimertinib_mpo,
    "fexofenadine_mpo": fexofenadine_mpo,
    "ranolazine_mpo": ranolazine_mpo,
    "perindopril_mpo": perindopril_mpo,
    "amlodipine_mpo": amlodipine_mpo,
    "sitagliptin_mpo": sitagliptin_mpo,
    "zaleplon_mpo": zaleplon_mpo,
    "valsartan_smarts": valsartan_smarts,
    "deco_hop": deco_hop,
    "scaffold_hop": scaffold_hop,
}


@functools.cache
def get_task(name: str) -> GoalTask:
    """The GuacaMol task ``name`` (built once per process)."""
    try:
        return TASKS[name]()
    except KeyError:
        raise ValueError(f"unknown GuacaMol task {name!r}; choose one of {sorted(TASKS)}") from None


# ------------------------------------------------------- constrained optimisation (JT-VAE)


@dataclasses.dataclass(frozen=True)
class ConstrainedPlogp:
    """Improve penalized logP of a start molecule while staying similar to it.

    The protocol of JT-VAE (Jin et al., 2018), GCPN and MolDQN on 800 low-plogP ZINC
    molecules with ``delta`` 0.4 or 0.6. For a molecule with Tanimoto similarity ``sim``
    to the start (Morgan radius 2, 2048 bits, as JT-VAE) the score is

    * ``plogp(mol) - plogp(start)`` if ``sim >= delta`` (the improvement), else
    * ``failure_score`` (default -100, the invalid score of the plogP objectives): a
      molecule that breaks the constraint is not an answer to the task.

    ``normalized`` picks :func:`~genenvs.molecule.properties.plogp` (JT-VAE, GCPN) or
    :func:`~genenvs.molecule.properties.plogp_unnormalized` (MolDQN).
    """

    start_smiles: str
    delta: float = 0.4
    normalized: bool = True
    failure_score: float = -100.0

    def __post_init__(self) -> None:
        if properties.mol_from_smiles(self.start_smiles) is None:
            raise ValueError(f"start_smiles {self.start_smiles!r} is not a valid SMILES")
        if not 0.0 <= self.delta <= 1.0:
            raise ValueError(f"delta is a Tanimoto similarity threshold in [0, 1], got {self.delta}")

    @property
    def plogp_fn(self) -> Callable[[Chem.Mol], float]:
        return properties.plogp if self.normalized else properties.plogp_unnormalized

    @functools.cached_property
    def _start(self) -> tuple[float, fp.Fingerprint]:
        mol = properties.mol_from_smiles(self.start_smiles)
        return self.plogp_fn(mol), fp.morgan_bits(mol)

    def evaluate(self, mols: Sequence[Chem.Mol]) -> Evaluation:
        start_plogp, start_fp = self._start
        similarity = fp.bulk_tanimoto(start_fp, [fp.morgan_bits(m) for m in mols])
        improvement = np.fromiter((self.plogp_fn(m) for m in mols), dtype=np.float64, count=len(mols)) - start_plogp
        scores = np.where(similarity >= self.delta, improvement, self.failure_score)
        return scores, {"plogp_improvement": improvement, "similarity": similarity}

    def __call__(self, mol: Chem.Mol) -> float:
        return float(self.evaluate([mol])[0][0])


__all__ = [
    "TASKS",
    "AtomCount",
    "ConstrainedPlogp",
    "GoalTask",
    "Similarity",
    "SmartsMatch",
    "Term",
    "get_task",
    "isomer_task",
    "parse_formula",
    "similarity_task",
]
