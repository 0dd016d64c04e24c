"""Graph-based genetic algorithm (Jensen, 2019): crossover and mutation on molecular graphs.

Jensen ("A graph-based genetic algorithm and generative model/Monte Carlo tree search for
the exploration of chemical space", *Chem. Sci.* 10, 3567, 2019) evolves a population of
molecules with two crossovers (cut one acyclic bond of each parent, or two bonds of one
ring, and join a fragment of each) and seven mutations (append, insert, delete or change
an atom, change a bond order, delete a ring bond, close a ring). No model, no gradient:
the PMO benchmark (Gao et al., 2022) found it among the hardest methods to beat, which is
why it is the non-RL reference here.

Every generation: parents are drawn with probability proportional to their score, each
child is a crossover of two parents mutated with probability ``mutation_rate``, the
children are scored, and the best ``population_size`` molecules of parents and children
survive. Defaults are GuacaMol's (Brown et al., 2019): population 100, offspring 200,
mutation rate 0.01; the initial population is drawn from the shipped training molecules.

Molecules are scored through the sample-level view of ``MolGen-v0`` / ``MolSmiles-v0``
(``action_type="text"``: the env tokenises each SMILES) inside
:class:`~genenvs.wrappers.OracleBudgetVector`, so oracle calls are counted exactly as for
the RL baselines: unique valid molecules, repeated ones free. The operators below are
written for this project on RDKit's editable molecules (``Chem.RWMol``, ``Chem.molzip``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import gymnasium as gym
import numpy as np
from rdkit import Chem, rdBase
from tqdm.auto import tqdm

from baselines.common.envs import budget_unit
from baselines.common.run_logger import RunLogger
from genenvs.molecule.tasks import DEFAULT_MAX_HEAVY_ATOMS
from genenvs.wrappers import OracleBudgetVector

#: Elements mutations may introduce (Jensen's set; all in the shipped SMILES/SELFIES vocabularies).
ELEMENTS = ("C", "N", "O", "S", "F", "Cl", "Br")
#: Bond orders by their number of electron pairs.
BOND_TYPES = {1: Chem.BondType.SINGLE, 2: Chem.BondType.DOUBLE, 3: Chem.BondType.TRIPLE}
#: Rings above this size are rare in drug-like molecules (ZINC) and what crossovers of
#: two ring halves would otherwise produce; children with larger rings are discarded.
MAX_RING_SIZE = 7
#: Attempts per crossover / mutation before giving up on a pair of parents.
TRIES = 10


@dataclasses.dataclass
class Args:
    population_size: int = 100
    offspring_size: int = 200
    mutation_rate: float = 0.01
    batch_size: int = 100  # molecules scored per step of the sample-level vector env
    max_heavy_atoms: int = DEFAULT_MAX_HEAVY_ATOMS  # children above it are discarded (the env would call them invalid)
    patience: int = 5  # stop after this many generations without a single new molecule


# ---------------------------------------------------------------------------- helpers
def kekulized(mol: Chem.Mol) -> Chem.RWMol:
    """An editable copy with explicit single/double bonds, so bonds can be cut and re-formed."""
    rw = Chem.RWMol(mol)
    Chem.Kekulize(rw, clearAromaticFlags=True)
    return rw


def _free(atom: Chem.Atom) -> None:
    """Let RDKit recompute an edited atom's hydrogens; drop stereo the edit may have broken."""
    atom.SetNumExplicitHs(0)
    atom.SetNoImplicit(False)
    atom.SetChiralTag(Chem.ChiralType.CHI_UNSPECIFIED)


def finish(mol: Chem.Mol, max_heavy_atoms: int) -> Chem.Mol | None:
    """Sanitise an edited molecule; ``None`` unless it is one acceptable, SMILES-round-trippable molecule."""
    mol = Chem.Mol(mol)
    with rdBase.BlockLogs():
        try:
            Chem.SanitizeMol(mol)
        except (Chem.rdchem.MolSanitizeException, RuntimeError, ValueError):
            return None
        if mol.GetNumAtoms() == 0 or mol.GetNumHeavyAtoms() > max_heavy_atoms:
            return None
        if len(Chem.GetMolFrags(mol)) != 1 or any(a.GetAtomicNum() == 0 for a in mol.GetAtoms()):
            return None
        if any(len(ring) > MAX_RING_SIZE for ring in mol.GetRingInfo().AtomRings()):
            return None
        smiles = Chem.MolToSmiles(mol)
        again = Chem.MolFromSmiles(smiles)
    return again


# ---------------------------------------------------------------------------- crossover
def _fragments(mol: Chem.Mol, bonds: list[int]) -> tuple[Chem.Mol, ...]:
    """Cut ``bonds``; the two dummy atoms of the k-th cut carry atom-map number k + 1,
    which is how :func:`rdkit.Chem.molzip` later knows which ends to join."""
    labels = [(k + 1, k + 1) for k in range(len(bonds))]
    cut = Chem.FragmentOnBonds(mol, bonds, addDummies=True, dummyLabels=labels)
    for atom in cut.GetAtoms():
        if atom.GetAtomicNum() == 0:
            atom.SetAtomMapNum(atom.GetIsotope())
            atom.SetIsotope(0)
    return Chem.GetMolFrags(cut, asMols=True, sanitizeFrags=False)


def _dummy_maps(frag: Chem.Mol) -> list[int]:
    return sorted(a.GetAtomMapNum() for a in frag.GetAtoms() if a.GetAtomicNum() == 0)


def cut_chain(mol: Chem.Mol, rng: np.random.Generator) -> tuple[Chem.Mol, ...] | None:
    """Both halves of ``mol`` cut at a random acyclic single bond (dummies mapped 1)."""
    rw = kekulized(mol)
    bonds = [b.GetIdx() for b in rw.GetBonds() if not b.IsInRing() and b.GetBondType() == Chem.BondType.SINGLE]
    if not bonds:
        return None
    return _fragments(rw, [int(rng.choice(bonds))])


def cut_ring(mol: Chem.Mol, rng: np.random.Generator) -> tuple[Chem.Mol, ...] | None:
    """Both halves of ``mol`` cut across one ring at two bonds that share no atom.

    Each half carries dummies mapped 1 and 2, so joining halves of two parents closes a
    new ring. Rings fused to others do not fall apart when cut: those give ``None``.
    """
    rw = kekulized(mol)
    rings = rw.GetRingInfo().BondRings()
    if not rings:
        return None
    ring = rings[int(rng.integers(len(rings)))]
    pairs = [(a, b) for i, a in enumerate(ring) for b in ring[i + 1 :] if not _share_atom(rw, a, b)]
    if not pairs:
        return None
    first, second = pairs[int(rng.integers(len(pairs)))]
    halves = _fragments(rw, [first, second])
    if len(halves) != 2 or any(_dummy_maps(h) != [1, 2] for h in halves):
        return None
    return halves


def _share_atom(mol: Chem.Mol, a: int, b: int) -> bool:
    x, y = mol.GetBondWithIdx(a), mol.GetBondWithIdx(b)
    return bool({x.GetBeginAtomIdx(), x.GetEndAtomIdx()} & {y.GetBeginAtomIdx(), y.GetEndAtomIdx()})


def crossover(a: Chem.Mol, b: Chem.Mol, rng: np.random.Generator, max_heavy_atoms: int = DEFAULT_MAX_HEAVY_ATOMS) -> Chem.Mol | None:
    """A child holding one fragment of each parent: a ring or a chain crossover, 50/50 (Jensen)."""
    for _ in range(TRIES):
        cut = cut_ring if rng.random() < 0.5 else cut_chain
        halves_a, halves_b = cut(a, rng), cut(b, rng)
        if halves_a is None or halves_b is None:
            continue
        left = halves_a[int(rng.integers(len(halves_a)))]
        right = Chem.RWMol(halves_b[int(rng.integers(len(halves_b)))])
        if cut is cut_ring and rng.random() < 0.5:  # join the second parent's half either way round
            for atom in right.GetAtoms():
                if atom.GetAtomicNum() == 0:
                    atom.SetAtomMapNum(3 - atom.GetAtomMapNum())
        with rdBase.BlockLogs():
            try:
                joined = Chem.molzip(left, right)
            except (RuntimeError, ValueError):
                continue
        child = finish(joined, max_heavy_atoms)
        if child is not None:
            return child
    return None


# ---------------------------------------------------------------------------- mutations
Mutation = Callable[[Chem.RWMol, np.random.Generator], bool]


def _pick(rng: np.random.Generator, items: list):
    return items[int(rng.integers(len(items)))] if items else None


def append_atom(rw: Chem.RWMol, rng: np.random.Generator) -> bool:
    """Bond a new atom to an atom that still has a hydrogen."""
    atom = _pick(rng, [a for a in rw.GetAtoms() if a.GetTotalNumHs() > 0])
    if atom is None:
        return False
    order = int(rng.choice([1, 2, 3], p=[0.8, 0.15, 0.05]))
    element = _pick(rng, list(ELEMENTS) if order == 1 else ["C", "N", "O", "S"] if order == 2 else ["C", "N"])
    new = rw.AddAtom(Chem.Atom(element))
    rw.AddBond(atom.GetIdx(), new, BOND_TYPES[order])
    _free(atom)
    return True


def insert_atom(rw: Chem.RWMol, rng: np.random.Generator) -> bool:
    """Put a new C, N, O or S into a single bond: A-B becomes A-X-B."""
    bond = _pick(rng, [b for b in rw.GetBonds() if b.GetBondType() == Chem.BondType.SINGLE])
    if bond is None:
        return False
    i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
    rw.RemoveBond(i, j)
    new = rw.AddAtom(Chem.Atom(_pick(rng, ["C", "N", "O", "S"])))
    rw.AddBond(i, new, Chem.BondType.SINGLE)
    rw.AddBond(new, j, Chem.BondType.SINGLE)
    return True


def delete_atom(rw: Chem.RWMol, rng: np.random.Generator) -> bool:
    """Remove a terminal atom, or a chain atom whose two neighbours are then bonded."""
    atom = _pick(rng, [a for a in rw.GetAtoms() if a.GetDegree() in (1, 2)])
    if atom is None or rw.GetNumAtoms() < 2:
        return False
    neighbours = [n.GetIdx() for n in atom.GetNeighbors()]
    if len(neighbours) == 2 and rw.GetBondBetweenAtoms(*neighbours) is None:
        rw.AddBond(neighbours[0], neighbours[1], Chem.BondType.SINGLE)
    for n in neighbours:
        _free(rw.GetAtomWithIdx(n))
    rw.RemoveAtom(atom.GetIdx())
    return True


def change_atom(rw: Chem.RWMol, rng: np.random.Generator) -> bool:
    """Swap an atom's element for another one (valence is checked when sanitising)."""
    atom = _pick(rng, list(rw.GetAtoms()))
    element = _pick(rng, [e for e in ELEMENTS if e != atom.GetSymbol()])
    atom.SetAtomicNum(Chem.GetPeriodicTable().GetAtomicNumber(element))
    atom.SetFormalCharge(0)
    _free(atom)
    return True


def change_bond_order(rw: Chem.RWMol, rng: np.random.Generator) -> bool:
    """Make a bond single, double or triple (whichever it is not)."""
    bond = _pick(rng, list(rw.GetBonds()))
    if bond is None:
        return False
    current = {v: k for k, v in BOND_TYPES.items()}.get(bond.GetBondType(), 1)
    bond.SetBondType(BOND_TYPES[int(rng.choice([o for o in (1, 2, 3) if o != current]))])
    _free(bond.GetBeginAtom())
    _free(bond.GetEndAtom())
    return True


def delete_ring_bond(rw: Chem.RWMol, rng: np.random.Generator) -> bool:
    """Open a ring by removing one of its bonds."""
    bond = _pick(rng, [b for b in rw.GetBonds() if b.IsInRing()])
    if bond is None:
        return False
    i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
    rw.RemoveBond(i, j)
    _free(rw.GetAtomWithIdx(i))
    _free(rw.GetAtomWithIdx(j))
    return True


def add_ring(rw: Chem.RWMol, rng: np.random.Generator) -> bool:
    """Close a five- or six-membered ring: bond two atoms 4 or 5 bonds apart."""
    distances = Chem.GetDistanceMatrix(rw)
    hydrogens = np.array([a.GetTotalNumHs() > 0 for a in rw.GetAtoms()])
    i, j = np.nonzero(np.isin(distances, (4, 5)) & hydrogens[:, None] & hydrogens[None, :])
    keep = i < j
    if not keep.any():
        return False
    k = int(rng.integers(keep.sum()))
    a, b = int(i[keep][k]), int(j[keep][k])
    rw.AddBond(a, b, Chem.BondType.SINGLE)
    _free(rw.GetAtomWithIdx(a))
    _free(rw.GetAtomWithIdx(b))
    return True


MUTATIONS: tuple[Mutation, ...] = (append_atom, insert_atom, delete_atom, change_atom, change_bond_order, delete_ring_bond, add_ring)


def mutate(mol: Chem.Mol, rate: float, rng: np.random.Generator, max_heavy_atoms: int = DEFAULT_MAX_HEAVY_ATOMS) -> Chem.Mol:
    """With probability ``rate``, one random mutation (retried up to ``TRIES`` times); else ``mol``."""
    if rng.random() >= rate:
        return mol
    for _ in range(TRIES):
        rw = kekulized(mol)
        if not MUTATIONS[int(rng.integers(len(MUTATIONS)))](rw, rng):
            continue
        child = finish(rw, max_heavy_atoms)
        if child is not None:
            return child
    return mol


# ---------------------------------------------------------------------------- scoring
class BudgetedOracle:
    """Scores SMILES through the sample-level env, never spending more than the budget."""

    def __init__(self, env_id: str, batch_size: int, budget: int, env_kwargs: dict | None) -> None:
        vec = gym.make_vec(env_id, batch_size, granularity="sample", action_type="text", autoreset_mode=gym.vector.AutoresetMode.SAME_STEP, **(env_kwargs or {}))
        self.env = OracleBudgetVector(vec, budget)
        self.env.reset(seed=0)  # unconditional tasks: the seed changes nothing
        self.batch_size = batch_size
        self.proposed = 0

    @property
    def tracker(self):
        return self.env.tracker

    def fits(self, smiles: str) -> bool:
        """Whether the env can spell ``smiles`` in its vocabulary and length limit (else it is invalid)."""
        try:
            self.env.unwrapped.task.encode(smiles)
        except ValueError:
            return False
        return True

    def __call__(self, smiles: list[str]) -> list[tuple[str, float]]:
        """``(env's canonical SMILES, score)`` of the valid ones among ``smiles``, in order.

        Each env step sends at most as many molecules as budget is left, so no molecule
        is scored that the budget would not count; the rest of the batch repeats a
        molecule of the same step, which costs nothing.
        """
        out: list[tuple[str, float]] = []
        queue = list(smiles)
        while queue and not self.tracker.exhausted:
            room = min(self.batch_size, self.tracker.budget - self.tracker.calls)
            chunk, queue = queue[:room], queue[room:]
            self.proposed += len(chunk)
            _, _, _, _, infos = self.env.step(chunk + [chunk[0]] * (self.batch_size - len(chunk)))
            finals = infos["final_info"]
            for i in range(len(chunk)):
                if finals["valid"][i]:
                    out.append((str(finals["sample"][i]), float(finals["score"][i])))
        return out


# ---------------------------------------------------------------------------- the GA
def mating_pool(scores: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Parent indices drawn with probability proportional to score (shifted to be >= 0)."""
    weights = scores - min(scores.min(), 0.0) + 1e-6
    return rng.choice(len(scores), size=size, p=weights / weights.sum())


def train(args: Args, cli, out, record, env_kwargs) -> dict:
    from baselines.common.diversity import sample_diversity_of
    from genenvs.molecule.data.build_vocab import load_smiles

    if budget_unit(cli.env) != "oracle_calls" or cli.env == "MolGraph-v0":
        raise ValueError(f"graph-ga proposes SMILES for the token-level molecule envs (MolGen-v0, MolSmiles-v0), not {cli.env!r}")
    if args.population_size < 2 or args.offspring_size < 1:
        raise ValueError(f"population_size must be >= 2 and offspring_size >= 1, got {args.population_size} and {args.offspring_size}")
    if not 0.0 <= args.mutation_rate <= 1.0:
        raise ValueError(f"mutation_rate must lie in [0, 1], got {args.mutation_rate}")
    rng = np.random.default_rng(cli.seed)
    oracle = BudgetedOracle(cli.env, args.batch_size, cli.budget, env_kwargs)
    logger = RunLogger(out, record, main_metric="top10")
    bar = tqdm(total=cli.budget, desc=f"graph-ga {cli.env}", unit="oracle calls")

    training = load_smiles("train")
    start = [training[i] for i in rng.choice(len(training), size=min(args.population_size, len(training)), replace=False)]
    population = dict(oracle(start))  # SMILES -> score
    if not population:
        raise RuntimeError(f"none of the {len(start)} training molecules is valid for {cli.env} with {env_kwargs or {}}; check the objective")
    mols = {s: Chem.MolFromSmiles(s) for s in population}
    seen = set(start) | set(population)
    generation, stalled = 0, 0
    bar.update(oracle.tracker.calls)
    while not oracle.tracker.exhausted and stalled < args.patience:
        generation += 1
        members = list(population)
        parents = mating_pool(np.array([population[s] for s in members]), args.offspring_size, rng)
        children: list[str] = []
        for _ in range(args.offspring_size):
            a, b = mols[members[rng.choice(parents)]], mols[members[rng.choice(parents)]]
            child = crossover(a, b, rng, args.max_heavy_atoms)
            if child is None:
                continue
            smiles = Chem.MolToSmiles(mutate(child, args.mutation_rate, rng, args.max_heavy_atoms))
            if smiles not in seen and oracle.fits(smiles):  # a molecule seen before would cost nothing and change nothing
                seen.add(smiles)
                children.append(smiles)
        before = oracle.tracker.calls
        scored = oracle(children)
        stalled = 0 if scored else stalled + 1
        for smiles, value in scored:
            if smiles not in mols:
                mols[smiles] = Chem.MolFromSmiles(smiles)
            population[smiles] = value
        survivors = sorted(population, key=population.get, reverse=True)[: args.population_size]
        population = {s: population[s] for s in survivors}
        bar.update(oracle.tracker.calls - before)
        values = np.array(list(population.values()))
        logger.log(generation, oracle_calls=oracle.tracker.calls, children=len(children), children_valid=len(scored) / max(len(children), 1), population_mean=values.mean(), population_max=values.max(), **oracle.tracker.top_means())
        bar.set_postfix(top10=f"{oracle.tracker.top_means()['top10']:.3f}")
    bar.close()

    tracker = oracle.tracker
    top = sorted(tracker.scores.items(), key=lambda kv: -kv[1])[:100]
    metrics = {**tracker.summary(), "generations": generation, "molecules_proposed": oracle.proposed}
    metrics.update({f"{k}_top100": v for k, v in sample_diversity_of([s for s, _ in top], molecules=True).items()})
    provenance = oracle.env.unwrapped.provenance
    oracle.env.close()
    return logger.finish(metrics, [{"sample": s, "score": v} for s, v in top], provenance, {"unit": "oracle_calls", "value": cli.budget, "used": tracker.calls}, x="oracle_calls", oracle_call_order=list(tracker.order))
