"""Molecule generation tasks: SELFIES (MolGen-v0) and SMILES (MolSmiles-v0).

One molecule per episode, scored at the end by an RDKit objective (REINVENT's setting;
Olivecrona et al., 2017). A sample is *valid* when it parses, is non-empty and stays
within the heavy-atom cap (38 by default, the ZINC250k cap used by GCPN).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import selfies as sf
from rdkit import Chem

from genenvs.core.task import Context, TokenTask
from genenvs.molecule.properties import mol_from_smiles
from genenvs.molecule.vocab import DATA, SmilesClosureCheck, load_vocab, tokenize_selfies, tokenize_smiles
from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult
from genenvs.rewards.cache import CachedScorer

DEFAULT_MAX_HEAVY_ATOMS = 38
#: Entries of a task's memo of decoded SMILES (a few MB at most).
DECODE_MEMO_SIZE = 1 << 16


class HeavyAtomCap(Scorer):
    """Marks molecules above ``max_heavy_atoms`` invalid, then defers to the objective.

    ``count`` gives the heavy atoms of a SMILES (default: parse it); a task passes the
    counts it noted while decoding, so that the cap does not parse every molecule again.
    """

    def __init__(self, objective: Scorer, max_heavy_atoms: int | None, count: Callable[[str], int] | None = None) -> None:
        self.objective = objective
        self.max_heavy_atoms = max_heavy_atoms
        self.count = count or _heavy_atoms
        self.name = objective.name
        self.version = objective.version
        self.invalid_score = objective.invalid_score

    def params(self) -> dict[str, Any]:
        return {"objective": self.objective.identity(), "max_heavy_atoms": self.max_heavy_atoms}

    def score(self, batch: SampleBatch) -> ScoreResult:
        if self.max_heavy_atoms is not None:
            too_big = np.fromiter(
                (bool(v) and self.count(s) > self.max_heavy_atoms for s, v in zip(batch.samples, batch.valid)), dtype=bool, count=len(batch)
            )
            if too_big.any():
                batch = SampleBatch(batch.samples, batch.tokens, batch.lengths, batch.contexts, batch.valid & ~too_big)
        return self.objective(batch)


def _heavy_atoms(smiles: str) -> int:
    mol = mol_from_smiles(smiles)
    return 0 if mol is None else mol.GetNumHeavyAtoms()


def _canonical_and_size(smiles: str) -> tuple[str | None, int]:
    """RDKit canonical SMILES (``None`` if it does not parse) and heavy-atom count of ``smiles``."""
    mol = mol_from_smiles(smiles)
    return (None, 0) if mol is None else (Chem.MolToSmiles(mol), mol.GetNumHeavyAtoms())


class MoleculeTask(TokenTask):
    """Generate one molecule as SELFIES or SMILES tokens.

    Args:
        kind: ``"selfies"`` or ``"smiles"``.
        objective: name of an objective in :func:`genenvs.molecule.list_objectives`.
        max_heavy_atoms: molecules with more heavy atoms are invalid; ``None`` lifts the cap.
        objective_kwargs: parameters of parametrised objectives (e.g. a start molecule).
    """

    accepts_text = True

    def __init__(self, kind: str, objective: str = "qed", max_heavy_atoms: int | None = DEFAULT_MAX_HEAVY_ATOMS, objective_kwargs: dict[str, Any] | None = None) -> None:
        from genenvs.molecule.objectives import make_scorer

        if max_heavy_atoms is not None and max_heavy_atoms < 1:
            raise ValueError(f"max_heavy_atoms must be a positive integer or None, got {max_heavy_atoms}")
        self.kind = kind
        self.name = f"molecule_{kind}"
        self.vocab, self.max_length = load_vocab(kind)
        self.max_text_length = 4 * self.max_length
        self.objective = objective
        self.max_heavy_atoms = max_heavy_atoms
        self.objective_kwargs = dict(objective_kwargs or {})
        # Decoding parses every sample. Random and trained generators alike repeat raw
        # SMILES often (more than half of random SELFIES episodes decode to a SMILES seen
        # before), so the parse is memoised, and the heavy-atom count of each canonical
        # SMILES is noted for the cap. Both are exact: same inputs, same RDKit calls.
        self._parse = functools.lru_cache(maxsize=DECODE_MEMO_SIZE)(_canonical_and_size)
        self._sizes: dict[str, int] = {}
        self._closes = SmilesClosureCheck(self.vocab.tokens) if kind == "smiles" else None
        base = HeavyAtomCap(make_scorer(objective, **self.objective_kwargs), max_heavy_atoms, count=self._heavy_atoms)
        self.scorer = CachedScorer(base, key=self.canonical)

    def params(self) -> dict[str, Any]:
        return {"kind": self.kind, "objective": self.objective, "max_heavy_atoms": self.max_heavy_atoms, "objective_kwargs": self.objective_kwargs}

    def reference_model_path(self) -> str:
        return str(DATA / f"prior_{self.kind}.pt")

    def training_data(self) -> tuple[np.ndarray, np.ndarray]:
        from genenvs.molecule.data.train_prior import encode_all
        from genenvs.molecule.data.build_vocab import load_smiles

        return encode_all(self.kind, load_smiles("train"))

    def data_checksums(self) -> dict[str, str]:
        import hashlib

        return {f"{self.kind}_vocab.json": hashlib.sha256((DATA / f"{self.kind}_vocab.json").read_bytes()).hexdigest()[:16]}

    # ------------------------------------------------------------------ decoding
    def to_string(self, ids: np.ndarray) -> str:
        """The raw SELFIES or SMILES string of ``ids``."""
        return "".join(self.vocab.symbols(ids))

    def decode(self, ids: np.ndarray, context: Context) -> tuple[str, bool]:
        symbols = self.vocab.symbols(ids)
        text = smiles = "".join(symbols)
        if self._closes is not None and not self._closes(symbols):
            return smiles, False  # would not parse (SmilesClosureCheck): no RDKit call needed
        if self.kind == "selfies":
            try:
                smiles = sf.decoder(text) or ""
            except sf.DecoderError:
                return text, False
        canon, size = self._parse(smiles)
        if canon is None:
            return smiles, False
        if len(self._sizes) >= DECODE_MEMO_SIZE:
            self._sizes.clear()
        self._sizes[canon] = size
        return canon, True

    def _heavy_atoms(self, smiles: str) -> int:
        size = self._sizes.get(smiles)
        return _heavy_atoms(smiles) if size is None else size

    def encode(self, sample: str, context: Context | None = None) -> np.ndarray:
        """Token ids of a SMILES string (converted to SELFIES for MolGen), plus ``<end>``."""
        if not isinstance(sample, str):
            raise TypeError(f"a molecule sample is a SMILES string, got {type(sample).__name__}")
        if self.kind == "selfies":
            try:
                tokens = tokenize_selfies(sf.encoder(sample))
            except sf.EncoderError as exc:
                raise ValueError(f"cannot encode {sample!r} as SELFIES: {exc}") from None
        else:
            tokens = tokenize_smiles(sample)
        if len(tokens) > self.max_length:
            raise ValueError(f"{sample!r} needs {len(tokens)} tokens, more than max_length={self.max_length}")
        return np.append(self.vocab.ids(tokens), self.vocab.end_id)

    def canonical(self, sample: str) -> str:
        return sample  # decode() already returns canonical SMILES for valid samples

    # ------------------------------------------------------------------ display
    def render_text(self, sample: Any, partial_ids: np.ndarray, context: Context) -> str:
        if sample is not None:
            return f"SMILES {sample}"
        return f"{self.kind.upper()} {self.to_string(partial_ids)}"

    def render_rgb(self, sample: Any, partial_ids: np.ndarray, context: Context) -> np.ndarray:
        from genenvs.molecule.render import draw_molecule

        smiles = sample if sample is not None else self.decode(partial_ids, context)[0]
        return draw_molecule(smiles)

    def episode_info(self, sample: Any, context: Context) -> dict[str, Any]:
        return {"smiles": sample}


__all__ = ["MoleculeTask"]
