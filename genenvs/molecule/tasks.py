"""Molecule generation tasks: SELFIES (MolGen-v0) and SMILES (MolSmiles-v0).

One molecule per episode, scored at the end by an RDKit objective (REINVENT's setting;
Olivecrona et al., 2017). A sample is *valid* when it parses, is non-empty and stays
within the heavy-atom cap (38 by default, the ZINC250k cap used by GCPN).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import selfies as sf

from genenvs.core.task import Context, TokenTask
from genenvs.molecule.properties import canonical_smiles, mol_from_smiles
from genenvs.molecule.vocab import DATA, load_vocab, tokenize_selfies, tokenize_smiles
from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult
from genenvs.rewards.cache import CachedScorer

DEFAULT_MAX_HEAVY_ATOMS = 38


class HeavyAtomCap(Scorer):
    """Marks molecules above ``max_heavy_atoms`` invalid, then defers to the objective."""

    def __init__(self, objective: Scorer, max_heavy_atoms: int | None) -> None:
        self.objective = objective
        self.max_heavy_atoms = max_heavy_atoms
        self.name = objective.name
        self.version = objective.version
        self.invalid_score = objective.invalid_score

    def params(self) -> dict[str, Any]:
        return {"objective": self.objective.identity(), "max_heavy_atoms": self.max_heavy_atoms}

    def score(self, batch: SampleBatch) -> ScoreResult:
        if self.max_heavy_atoms is not None:
            too_big = np.fromiter(
                (bool(v) and _heavy_atoms(s) > self.max_heavy_atoms for s, v in zip(batch.samples, batch.valid)), dtype=bool, count=len(batch)
            )
            if too_big.any():
                batch = SampleBatch(batch.samples, batch.tokens, batch.lengths, batch.contexts, batch.valid & ~too_big)
        return self.objective(batch)


def _heavy_atoms(smiles: str) -> int:
    mol = mol_from_smiles(smiles)
    return 0 if mol is None else mol.GetNumHeavyAtoms()


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
        base = HeavyAtomCap(make_scorer(objective, **self.objective_kwargs), max_heavy_atoms)
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
        text = self.to_string(ids)
        smiles = text
        if self.kind == "selfies":
            try:
                smiles = sf.decoder(text) or ""
            except sf.DecoderError:
                return text, False
        canon = canonical_smiles(smiles)
        return (canon, True) if canon is not None else (smiles, False)

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
