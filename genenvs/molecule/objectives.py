"""Molecule objectives by name: the oracles every molecule environment scores with.

>>> from genenvs.molecule.objectives import score, list_objectives
>>> score("qed", ["CC(=O)Oc1ccccc1C(=O)O", "not a smiles"])   # doctest: +SKIP
array([0.55..., 0.  ])

An :class:`Objective` is a documented function of an RDKit molecule: its range, whether
higher is better, the score of invalid samples and the paper it comes from.
:func:`make_scorer` wraps one as a :class:`~genenvs.rewards.base.Scorer` for the reward
protocol. Scoring a batch parses each distinct SMILES once and evaluates each distinct
molecule once; target fingerprints are computed once per process.

Invalid samples (unparsable or empty SMILES, or rows the batch already marks invalid)
get the objective's ``invalid_score``: 0 for objectives on [0, 1], the worst end of the
scale for SA (10), and -100 for the unbounded logP family (far below any real
molecule's value, so an invalid sample does not outscore real molecules).
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from rdkit import Chem

from genenvs.core.errors import GenEnvsError
from genenvs.molecule import fingerprints, guacamol, properties
from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult

Evaluation = guacamol.Evaluation

GUACAMOL = "Brown et al., GuacaMol, J. Chem. Inf. Model. 59, 1096 (2019); TDC oracle of the same name"
JTVAE = "Jin et al., Junction Tree VAE, ICML 2018; You et al., GCPN, NeurIPS 2018"
MOLDQN = "Zhou et al., MolDQN, Sci. Rep. 9, 10752 (2019)"
INVALID_LOGP = -100.0


class UnknownObjectiveError(GenEnvsError, ValueError):
    """An objective name that is not in :func:`list_objectives`."""


@dataclasses.dataclass(frozen=True)
class Objective:
    """A named, documented molecule oracle.

    Attributes:
        name: the name the field uses (``"qed"``, ``"osimertinib_mpo"``...).
        fn: score of one RDKit molecule.
        invalid_score: score of an invalid sample.
        higher_is_better: direction of optimisation.
        value_range: (low, high) bounds of ``fn``; ``inf`` where unbounded.
        description: one line on what it rewards.
        reference: where the definition comes from.
        evaluate_batch: optional batched ``mols -> (scores, terms)`` that also reports
            the named terms of a multi-property objective.
        params: the parameters it was built with (part of a scorer's identity).
    """

    name: str
    fn: Callable[[Chem.Mol], float]
    invalid_score: float
    higher_is_better: bool
    value_range: tuple[float, float]
    description: str
    reference: str
    evaluate_batch: Callable[[Sequence[Chem.Mol]], Evaluation] | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, hash=False)

    def evaluate(self, mols: Sequence[Chem.Mol]) -> Evaluation:
        """Scores of ``mols`` and, for multi-term objectives, each term by name."""
        if self.evaluate_batch is not None:
            return self.evaluate_batch(mols)
        return np.fromiter((self.fn(m) for m in mols), dtype=np.float64, count=len(mols)), {}


# ------------------------------------------------------------------------------ table

_INF = float("inf")


def _property(name: str, fn: Callable[[Chem.Mol], float], invalid: float, higher: bool, value_range: tuple[float, float], description: str, reference: str) -> Callable[[], Objective]:
    return lambda: Objective(name, fn, invalid, higher, value_range, description, reference)


def _from_task(task: guacamol.GoalTask, params: Mapping[str, Any] | None = None) -> Objective:
    return Objective(task.name, task, 0.0, True, (0.0, 1.0), task.description, GUACAMOL, task.evaluate, dict(params or {}))


def _guacamol(name: str) -> Callable[[], Objective]:
    return lambda: _from_task(guacamol.get_task(name))


def similarity(target_smiles: str, fingerprint: str = "ECFP4", threshold: float = 1.0) -> Objective:
    """Tanimoto similarity to any target, clipped to 1 from ``threshold`` on (GuacaMol style)."""
    if properties.mol_from_smiles(target_smiles) is None:
        raise ValueError(f"target_smiles {target_smiles!r} is not a valid SMILES")
    if fingerprint not in fingerprints.FINGERPRINTS:
        raise ValueError(f"unknown fingerprint {fingerprint!r}; choose one of {sorted(fingerprints.FINGERPRINTS)}")
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold is a similarity in (0, 1], got {threshold}")
    task = guacamol.similarity_task("similarity", target_smiles, fingerprint, threshold)
    return _from_task(task, {"target_smiles": target_smiles, "fingerprint": fingerprint, "threshold": threshold})


def isomers(formula: str) -> Objective:
    """GuacaMol isomer score for any molecular formula: 1 exactly for its isomers."""
    return _from_task(guacamol.isomer_task(formula, "isomers"), {"formula": formula})


def constrained_plogp(start_smiles: str, delta: float = 0.4, normalized: bool = True, failure_score: float = INVALID_LOGP) -> Objective:
    """Penalized-logP improvement over ``start_smiles`` under similarity >= ``delta``.

    See :class:`genenvs.molecule.guacamol.ConstrainedPlogp` for the exact definition.
    """
    task = guacamol.ConstrainedPlogp(start_smiles, float(delta), bool(normalized), float(failure_score))
    kind = "normalised" if normalized else "unnormalised"
    return Objective(
        "constrained_plogp", task, INVALID_LOGP, True, (-_INF, _INF),
        f"Improvement of {kind} penalized logP over {start_smiles} for molecules with Morgan-2048 similarity >= {delta}; {failure_score} otherwise.",
        f"{JTVAE}; {MOLDQN}", task.evaluate,
        {"start_smiles": start_smiles, "delta": float(delta), "normalized": bool(normalized), "failure_score": float(failure_score)},
    )


_FACTORIES: dict[str, Callable[..., Objective]] = {
    "qed": _property("qed", properties.qed, 0.0, True, (0.0, 1.0), "Quantitative estimate of drug-likeness.", "Bickerton et al., Nat. Chem. 4, 90 (2012)"),
    "sa": _property("sa", properties.sa, 10.0, False, (1.0, 10.0), "Synthetic accessibility score; 1 easy, 10 hard.", "Ertl & Schuffenhauer, J. Cheminf. 1, 8 (2009)"),
    "logp": _property("logp", properties.logp, INVALID_LOGP, True, (-_INF, _INF), "Wildman-Crippen logP.", "Wildman & Crippen, J. Chem. Inf. Comput. Sci. 39, 868 (1999)"),
    "plogp": _property("plogp", properties.plogp, INVALID_LOGP, True, (-_INF, _INF), "Penalized logP, each term standardised on ZINC250k (C38 alkane: 11.19).", JTVAE),
    "plogp_unnormalized": _property("plogp_unnormalized", properties.plogp_unnormalized, INVALID_LOGP, True, (-_INF, _INF), "Penalized logP as logP - SA - ring penalty (C38 alkane: 13.88).", MOLDQN),
    **{name: _guacamol(name) for name in guacamol.TASKS},
    "similarity": similarity,
    "isomers": isomers,
    "constrained_plogp": constrained_plogp,
}


def list_objectives() -> list[str]:
    """Names of all objectives: properties, the 20 GuacaMol tasks, then parametrised ones."""
    return list(_FACTORIES)


def _factory(name: str) -> Callable[..., Objective]:
    try:
        return _FACTORIES[name]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(name), _FACTORIES, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
        raise UnknownObjectiveError(f"unknown molecule objective {name!r}; {hint}available: {', '.join(_FACTORIES)}") from None


def get_objective(name: str, **params: Any) -> Objective:
    """The objective ``name``, built with ``params`` where it takes any.

    Raises:
        UnknownObjectiveError: (a ``ValueError``) for a name not in :func:`list_objectives`.
        ValueError: for parameters the objective does not take, or is missing.
    """
    factory = _factory(name)
    signature = inspect.signature(factory)
    try:
        signature.bind(**params)
    except TypeError as exc:
        accepted = [p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in signature.parameters.values()]
        takes = f"parameters ({', '.join(accepted)})" if accepted else "no parameters"
        raise ValueError(f"objective {name!r} takes {takes}; got {params or 'none'} ({exc})") from None
    return factory(**params)


# ----------------------------------------------------------------------------- scoring


class ObjectiveScorer(Scorer):
    """Reward-protocol scorer of an :class:`Objective` over a batch of SMILES strings.

    A row is scored when the batch marks it valid *and* RDKit parses it; every other row
    gets ``invalid_score`` and ``valid=False`` in the result. Components: the score under
    the objective's name, or for multi-term objectives each term as ``"name/term"``
    (invalid rows hold ``invalid_score`` there too).
    """

    version = "1"

    def __init__(self, objective: Objective) -> None:
        self.objective = objective
        self.name = objective.name
        self.invalid_score = float(objective.invalid_score)

    def params(self) -> dict[str, Any]:
        return {"objective": self.objective.name, **self.objective.params}

    def score(self, batch: SampleBatch) -> ScoreResult:
        n = len(batch)
        valid = np.array(batch.valid, dtype=bool, copy=True)
        rows_by_smiles: dict[str, list[int]] = {}
        for i in np.flatnonzero(valid):
            sample = batch.samples[i]
            if isinstance(sample, str):
                rows_by_smiles.setdefault(sample, []).append(int(i))
            else:
                valid[i] = False
        groups: list[list[int]] = []
        mols: list[Chem.Mol] = []
        for smiles, rows in rows_by_smiles.items():
            mol = properties.mol_from_smiles(smiles)
            if mol is None:
                valid[rows] = False
            else:
                groups.append(rows)
                mols.append(mol)

        values, terms = self.objective.evaluate(mols)  # also for no molecules: same component names
        rows = np.fromiter((r for g in groups for r in g), dtype=np.int64)
        owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])

        def scatter(per_molecule: np.ndarray) -> np.ndarray:
            out = np.full(n, self.invalid_score, dtype=np.float64)
            out[rows] = np.asarray(per_molecule, dtype=np.float64)[owner]
            return out

        scores = scatter(values)
        components = {f"{self.name}/{term}": scatter(v) for term, v in terms.items()} or {self.name: scores}
        return ScoreResult(scores=scores, components=components, valid=valid)


def make_scorer(name: str, **params: Any) -> ObjectiveScorer:
    """A :class:`~genenvs.rewards.base.Scorer` for objective ``name`` (see :func:`get_objective`)."""
    return ObjectiveScorer(get_objective(name, **params))


def score(objective: str, smiles: Sequence[str], **params: Any) -> np.ndarray:
    """Scores (float64, one per SMILES, in order) of ``smiles`` under ``objective``."""
    if isinstance(smiles, str):
        raise TypeError("score() takes a list of SMILES strings; wrap a single SMILES as [smiles]")
    return make_scorer(objective, **params)(SampleBatch(samples=list(smiles))).scores


__all__ = [
    "Objective",
    "ObjectiveScorer",
    "UnknownObjectiveError",
    "constrained_plogp",
    "get_objective",
    "isomers",
    "list_objectives",
    "make_scorer",
    "score",
    "similarity",
]
