"""The valid edits of a molecule in MolDQN's Markov decision process.

Zhou et al. (2019, "Optimization of Molecules via Deep Reinforcement Learning", Sci. Rep.
9, 10752) make *the molecule an edit leads to* the action. From a molecule the valid
actions are those of the paper's Section "Markov decision process" and of the authors'
``get_valid_actions`` (google-research/mol_dqn):

* **atom addition**: a new atom of one of ``atom_types`` joined by a single, double or
  triple bond to an existing atom with at least that many implicit hydrogens, if the new
  element can make that many bonds. From the empty molecule: each lone atom.
* **bond addition**: between two atoms that both have at least ``k`` implicit hydrogens,
  no bond becomes a bond of order ``k``, or a single/double bond is raised by ``k``. A
  *new* bond must close a ring of an allowed size (the number of atoms on the shortest
  path between the two atoms; 5 or 6 in the paper's experiments) and, with
  ``allow_bonds_between_rings=False``, must not join two atoms that are already in rings.
* **bond removal**: a bond lowered by 1, 2 or 3 orders; lowering to zero removes it,
  which is allowed when the molecule stays in one piece or a single atom breaks off (that
  atom is dropped and the rest is kept).
* **no modification**: the molecule itself.

Aromatic bonds are never changed. Every candidate must pass RDKit sanitisation, and
candidates are de-duplicated by canonical SMILES (MolDQN keeps a set), so two edits that
give the same molecule are one action. Where this module differs from the reference
code, on purpose:

* the order of the candidates is deterministic (no-op first, then atom additions, bond
  additions and removals, each by atom index), so an index can name an action;
* "a single atom breaks off" counts atoms; the reference compares the length of the
  fragment's SMILES with 1, which also refuses e.g. a lone ``Cl`` (two characters);
* ``max_heavy_atoms`` caps the molecule size (atom additions stop at the cap).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Sequence

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")  # candidate edits that fail sanitisation are expected, not news

#: Bond orders by number of shared electron pairs; index 0 is "no bond".
BOND_TYPES: tuple[Chem.BondType | None, ...] = (None, Chem.BondType.SINGLE, Chem.BondType.DOUBLE, Chem.BondType.TRIPLE)

#: The edit kinds, in the order the candidates list them.
EDIT_KINDS = ("no_op", "add_atom", "add_bond", "remove_bond")


@dataclasses.dataclass(frozen=True)
class EditRules:
    """MolDQN's action-space options (the defaults are the paper's experiments).

    Attributes:
        atom_types: elements an atom addition may add.
        allowed_ring_sizes: sizes a new bond may close; ``None`` allows any size.
        allow_bonds_between_rings: allow new bonds between two atoms already in rings.
        allow_removal: include bond lowering and removal.
        allow_no_modification: include the current molecule (the no-op).
        max_heavy_atoms: no atom additions beyond this many heavy atoms; ``None`` lifts it.
    """

    atom_types: tuple[str, ...] = ("C", "O", "N")
    allowed_ring_sizes: tuple[int, ...] | None = (5, 6)
    allow_bonds_between_rings: bool = False
    allow_removal: bool = True
    allow_no_modification: bool = True
    max_heavy_atoms: int | None = 38

    def __post_init__(self) -> None:
        if isinstance(self.atom_types, str) or not self.atom_types:
            raise ValueError(f"atom_types must be a non-empty sequence of element symbols, got {self.atom_types!r}")
        object.__setattr__(self, "atom_types", tuple(self.atom_types))
        for symbol in self.atom_types:
            if max_bonds(symbol) < 1:
                raise ValueError(f"atom_types: element {symbol!r} forms no bonds; use elements such as 'C', 'N', 'O'")
        if self.allowed_ring_sizes is not None:
            sizes = tuple(sorted({int(s) for s in self.allowed_ring_sizes}))
            if not sizes or sizes[0] < 3:
                raise ValueError(f"allowed_ring_sizes must be ring sizes >= 3 (or None for any), got {self.allowed_ring_sizes!r}")
            object.__setattr__(self, "allowed_ring_sizes", sizes)
        if self.max_heavy_atoms is not None and int(self.max_heavy_atoms) < 1:
            raise ValueError(f"max_heavy_atoms must be a positive integer or None, got {self.max_heavy_atoms!r}")

    def allows_ring(self, size: int) -> bool:
        return self.allowed_ring_sizes is None or size in self.allowed_ring_sizes


@dataclasses.dataclass(frozen=True)
class Edit:
    """One candidate action: the molecule it leads to and the edit that made it.

    Attributes:
        smiles: canonical SMILES of the resulting molecule (the action, in MolDQN's terms).
        kind: one of :data:`EDIT_KINDS`.
        atoms: indices, in the current molecule, of the atom(s) edited (``()`` for the
            no-op and for a lone atom added to the empty molecule).
        bond_order: order of the new or changed bond (1-3); 0 for a removed bond and for a
            lone atom.
        element: the added element (atom additions only).
        mol: the resulting RDKit molecule, sanitised (not part of equality).
    """

    smiles: str
    kind: str
    atoms: tuple[int, ...] = ()
    bond_order: int = 0
    element: str | None = None
    mol: Chem.Mol | None = dataclasses.field(default=None, compare=False, repr=False)

    def without_mol(self) -> Edit:
        """The same edit without its RDKit molecule (cheap to keep in a cache)."""
        return Edit(self.smiles, self.kind, self.atoms, self.bond_order, self.element)

    def describe(self) -> str:
        """A short human-readable label, e.g. ``"add_atom O order=2 @1 -> CC(C)=O"``."""
        if self.kind == "no_op":
            return f"no_op -> {self.smiles}"
        target = "@" + "-".join(map(str, self.atoms)) if self.atoms else "lone"
        what = f" {self.element}" if self.element else ""
        return f"{self.kind}{what} order={self.bond_order} {target} -> {self.smiles}"


@functools.cache
def max_bonds(element: str) -> int:
    """Largest number of bonds RDKit allows ``element`` (C 4, N 3, O 2), as MolDQN uses."""
    try:
        valences = Chem.GetPeriodicTable().GetValenceList(element)
    except RuntimeError:
        raise ValueError(f"unknown element symbol {element!r}") from None
    return max(valences) if len(valences) else 0


def valid_edits(smiles: str, rules: EditRules = EditRules()) -> list[Edit]:
    """Every valid edit of ``smiles`` (``""`` is the empty molecule), de-duplicated, in order.

    Raises:
        ValueError: if ``smiles`` is not a valid molecule.
    """
    if not smiles:
        return [_lone_atom(symbol) for symbol in rules.atom_types]
    mol = Chem.MolFromSmiles(smiles)
    if mol is None or mol.GetNumAtoms() == 0:
        raise ValueError(f"not a valid molecule: {smiles!r}")
    edits: dict[str, Edit] = {}

    def keep(edit: Edit | None) -> None:
        if edit is not None and edit.smiles not in edits:
            edits[edit.smiles] = edit

    if rules.allow_no_modification:
        keep(Edit(Chem.MolToSmiles(mol), "no_op", mol=mol))
    free = [atom.GetNumImplicitHs() for atom in mol.GetAtoms()]
    if rules.max_heavy_atoms is None or mol.GetNumHeavyAtoms() < rules.max_heavy_atoms:
        for edit in _atom_additions(mol, free, rules.atom_types):
            keep(edit)
    kekule = Chem.RWMol(mol)
    Chem.Kekulize(kekule, clearAromaticFlags=True)
    for edit in _bond_additions(mol, kekule, free, rules):
        keep(edit)
    if rules.allow_removal:
        for edit in _bond_removals(mol, kekule):
            keep(edit)
    return list(edits.values())


# ------------------------------------------------------------------------- the edits


def _sanitized(mol: Chem.RWMol) -> Chem.Mol | None:
    return None if Chem.SanitizeMol(mol, catchErrors=True) != Chem.SanitizeFlags.SANITIZE_NONE else mol


def _lone_atom(element: str) -> Edit:
    new = Chem.RWMol()
    new.AddAtom(Chem.Atom(element))
    Chem.SanitizeMol(new)  # fills in the hydrogens: C -> methane
    return Edit(Chem.MolToSmiles(new), "add_atom", (), 0, element, new.GetMol())


def _atom_additions(mol: Chem.Mol, free: Sequence[int], atom_types: Sequence[str]) -> list[Edit]:
    out = []
    for atom, order, element in itertools.product(range(mol.GetNumAtoms()), (1, 2, 3), atom_types):
        if free[atom] < order or max_bonds(element) < order:
            continue
        new = Chem.RWMol(mol)
        idx = new.AddAtom(Chem.Atom(element))
        new.AddBond(atom, idx, BOND_TYPES[order])
        if _sanitized(new) is not None:
            out.append(Edit(Chem.MolToSmiles(new), "add_atom", (atom,), order, element, new))
    return out


def _bond_additions(mol: Chem.Mol, kekule: Chem.RWMol, free: Sequence[int], rules: EditRules) -> list[Edit]:
    distance = Chem.GetDistanceMatrix(mol)  # bonds on the shortest path; a new bond closes a ring of distance + 1 atoms
    out = []
    for a, b in itertools.combinations(range(mol.GetNumAtoms()), 2):
        raise_by = min(free[a], free[b])  # both atoms give up this many hydrogens
        if raise_by < 1:
            continue
        bond = mol.GetBondBetweenAtoms(a, b)
        if bond is None:
            if not rules.allow_bonds_between_rings and mol.GetAtomWithIdx(a).IsInRing() and mol.GetAtomWithIdx(b).IsInRing():
                continue
            if distance[a, b] > mol.GetNumAtoms() or not rules.allows_ring(int(distance[a, b]) + 1):
                continue  # another fragment, or a ring of a size that is not allowed
            current = 0
        elif bond.GetBondType() in BOND_TYPES:
            current = BOND_TYPES.index(bond.GetBondType())
        else:
            continue  # aromatic: never modified
        for order in range(current + 1, min(current + raise_by, len(BOND_TYPES) - 1) + 1):
            new = Chem.RWMol(kekule)
            if current:
                new.GetBondBetweenAtoms(a, b).SetBondType(BOND_TYPES[order])
            else:
                new.AddBond(a, b, BOND_TYPES[order])
            if _sanitized(new) is not None:
                out.append(Edit(Chem.MolToSmiles(new), "add_bond", (a, b), order, None, new))
    return out


def _bond_removals(mol: Chem.Mol, kekule: Chem.RWMol) -> list[Edit]:
    out = []
    for bond in mol.GetBonds():
        if bond.GetBondType() not in BOND_TYPES:
            continue  # aromatic: never modified
        a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        current = BOND_TYPES.index(bond.GetBondType())
        # Removing a chain bond whose ends both have other neighbours splits off a piece of
        # two or more atoms, which MolDQN forbids; only ring bonds and terminal bonds can go.
        lone = [i for i in (a, b) if mol.GetAtomWithIdx(i).GetDegree() == 1]
        removable = bond.IsInRing() or bool(lone)
        for order in range(current - 1, -1 if removable else 0, -1):
            if order > 0:
                new = Chem.RWMol(kekule)
                new.GetBondBetweenAtoms(a, b).SetBondType(BOND_TYPES[order])
                result = _sanitized(new)
            else:
                result = _without_bond(kekule, a, b, lone)
            if result is not None:
                out.append(Edit(Chem.MolToSmiles(result), "remove_bond", (a, b), order, None, result))
    return out


def _without_bond(kekule: Chem.RWMol, a: int, b: int, lone: Sequence[int]) -> Chem.Mol | None:
    """The molecule without bond a-b, and without the atom that broke off alone if any.

    When both ends break off alone (a two-atom molecule) the atom with the larger SMILES
    is kept, which is the reference code's choice for C, N and O.
    """
    results = []
    for dropped in lone or [None]:
        new = Chem.RWMol(kekule)
        new.RemoveBond(a, b)
        if dropped is not None:
            new.RemoveAtom(dropped)
        result = _sanitized(new)
        if result is not None:
            results.append(result)
    if len(results) <= 1:
        return results[0] if results else None
    return max(results, key=Chem.MolToSmiles)


__all__ = ["BOND_TYPES", "EDIT_KINDS", "Edit", "EditRules", "max_bonds", "valid_edits"]
