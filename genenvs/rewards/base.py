"""The scorer protocol every reward in genenvs implements.

A scorer maps a *batch* of finished samples to one score per sample plus named
components. Batching is the default because most oracles (RDKit, a reward model, a
sandbox) amortise their cost over many samples; single-sample scoring is a batch of one.

Every scorer has a stable :meth:`Scorer.identity` (name, version, parameters). The
environment hashes these identities into its provenance, so two environments that could
score a sample differently never share a provenance hash.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np


@dataclasses.dataclass
class SampleBatch:
    """Finished samples handed to a scorer.

    Attributes:
        samples: decoded artefacts (SMILES strings, text, programs, arrays...), length n.
        tokens: padded token ids, shape (n, L), or None for non-token domains.
        lengths: number of generated tokens per sample, shape (n,), or None.
        contexts: per-sample task context (prompt, target, tests...), or None.
        valid: whether each sample decoded to a well-formed artefact, shape (n,).
    """

    samples: list[Any]
    tokens: np.ndarray | None = None
    lengths: np.ndarray | None = None
    contexts: list[Any] | None = None
    valid: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.samples)
        if self.valid is None:
            self.valid = np.ones(n, dtype=bool)
        for name in ("tokens", "lengths", "contexts", "valid"):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"SampleBatch.{name} has {len(value)} rows but there are {n} samples")

    def __len__(self) -> int:
        return len(self.samples)

    def subset(self, index: np.ndarray) -> SampleBatch:
        """Rows ``index`` of this batch (an integer index array)."""
        pick = lambda seq: None if seq is None else [seq[i] for i in index]  # noqa: E731
        return SampleBatch(
            samples=pick(self.samples),
            tokens=None if self.tokens is None else self.tokens[index],
            lengths=None if self.lengths is None else self.lengths[index],
            contexts=pick(self.contexts),
            valid=self.valid[index],
        )


@dataclasses.dataclass
class ScoreResult:
    """Scores of a batch: ``scores`` (n,) float64 and every term by name (each (n,))."""

    scores: np.ndarray
    components: dict[str, np.ndarray]
    valid: np.ndarray

    @classmethod
    def single(cls, name: str, scores: np.ndarray, valid: np.ndarray) -> ScoreResult:
        scores = np.asarray(scores, dtype=np.float64)
        return cls(scores=scores, components={name: scores}, valid=np.asarray(valid, dtype=bool))


def _jsonable(value: Any) -> Any:
    """Parameters as plain JSON values so identities hash the same across runs."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, Scorer):
        return value.identity()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if callable(getattr(value, "identity", None)):
        return value.identity()
    if callable(value) and hasattr(value, "__qualname__"):  # functions: stable across processes
        return f"{getattr(value, '__module__', '?')}.{value.__qualname__}"
    return f"{type(value).__module__}.{type(value).__qualname__}"


class Scorer:
    """Base class: subclasses set ``name`` and implement :meth:`score`.

    ``invalid_score`` is what an invalid sample receives (documented per scorer; 0 for
    objectives on [0, 1]). Scorers must not drop rows: the result always has one score per
    sample, in order.
    """

    name: str = "scorer"
    version: str = "1"
    invalid_score: float = 0.0

    def params(self) -> dict[str, Any]:
        """Parameters that change the scores; part of the identity."""
        return {}

    def identity(self) -> dict[str, Any]:
        return {"name": self.name, "version": str(self.version), "params": _jsonable(self.params())}

    def score(self, batch: SampleBatch) -> ScoreResult:
        raise NotImplementedError

    def __call__(self, batch: SampleBatch) -> ScoreResult:
        result = self.score(batch)
        if result.scores.shape != (len(batch),):
            raise RuntimeError(
                f"scorer {self.name!r} returned scores of shape {result.scores.shape} for a batch of {len(batch)}"
            )
        return result

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({params})"


class FunctionScorer(Scorer):
    """A rule-based scorer from a plain function.

    Args:
        fn: maps a list of *valid* samples to scores. With ``batched=False`` it is called
            once per sample and returns a float.
        name: the component name reported in ``info["reward_components"]``.
        invalid_score: score given to invalid samples (``fn`` never sees them).
        params: anything that changes ``fn``'s output, recorded in the identity.
        uses_context: call ``fn(sample, context)`` (batched: ``fn(pairs)`` with
            ``(sample, context)`` pairs) so the score can depend on the problem instance.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str,
        *,
        batched: bool = False,
        invalid_score: float = 0.0,
        version: str = "1",
        params: Mapping[str, Any] | None = None,
        uses_context: bool = False,
    ) -> None:
        self.fn = fn
        self.name = name
        self.batched = batched
        self.invalid_score = float(invalid_score)
        self.version = version
        self._params = dict(params or {})
        self.uses_context = uses_context

    def params(self) -> dict[str, Any]:
        return {"function": f"{getattr(self.fn, '__module__', '?')}.{getattr(self.fn, '__qualname__', repr(self.fn))}", **self._params}

    def score(self, batch: SampleBatch) -> ScoreResult:
        scores = np.full(len(batch), self.invalid_score, dtype=np.float64)
        idx = np.flatnonzero(batch.valid)
        if idx.size:
            items: Sequence[Any] = [batch.samples[i] for i in idx]
            if self.uses_context:
                contexts = batch.contexts or [None] * len(batch)
                items = [(batch.samples[i], contexts[i]) for i in idx]
            if self.batched:
                values = np.asarray(self.fn(list(items)), dtype=np.float64)
            else:
                values = np.fromiter((self.fn(*it) if self.uses_context else self.fn(it) for it in items), dtype=np.float64, count=len(items))
            scores[idx] = values
        return ScoreResult.single(self.name, scores, batch.valid)
