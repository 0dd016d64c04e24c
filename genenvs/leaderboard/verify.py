"""``genenvs leaderboard verify``: re-score an entry's stored samples and compare.

Steps, each of which can stop the verification with a reason:

1. the file validates (schema, sibling checksums);
2. the installed environment has the entry's provenance hash; otherwise the entry was
   scored by another version of the environment and the differing fields are named
   (:func:`genenvs.core.provenance.diff_provenance`);
3. stored samples are scored again by the environment:

   * the *final batch* (the episodes ``mean_score_last`` and ``validity_last`` summarise),
     stored as the environments' own records with their contexts, through
     ``env.unwrapped.score_records`` (:mod:`genenvs.core.rescoring`); this works for every
     environment, token-level or not, conditional or not;
   * the top samples and, for oracle-budget runs, every oracle call in its recorded order
     (PMO's top-k means and AUC recomputed with :class:`genenvs.wrappers.BudgetTracker`),
     stored as decoded samples, through the task of an unconditional token-level env;

4. claimed and recomputed values are compared, per seed and aggregated.

Values that cannot be recomputed (a training loss, the top samples of a conditional or
non-token environment, the final batch of an entry written before final batches were
stored, scores of a discriminator trained online) are listed as *not re-scorable*, with
the reason; they never count as verified.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from genenvs.core.provenance import diff_provenance
from genenvs.core.rescoring import NotRescorableError, check_rescorable
from genenvs.leaderboard.entry import LeaderboardError, close, final_batch_metrics, read_sibling, summarize
from genenvs.leaderboard.validate import consistency_problems, load_entry, read_final_batch, sibling_problems
from genenvs.rewards.base import ScoreResult

OK, MISMATCH, NOT_RESCORABLE = "ok", "MISMATCH", "not re-scorable"
#: PMO's metrics, recomputed from the stored oracle-call order.
ORACLE_METRICS = ("oracle_calls", "top1", "top10", "top100", "auc_top10")
#: The metrics a stored final batch defines (``genenvs.leaderboard.entry.final_batch_metrics``).
FINAL_BATCH_METRICS = ("mean_score_last", "validity_last")

#: Re-scores a list of stored samples (or oracle-call keys) with the environment's scorer.
Rescorer = Callable[[list[Any]], np.ndarray]
#: ``env.unwrapped.score_records``: scores stored final-batch records (``genenvs.core.rescoring``).
RecordScorer = Callable[[list[dict[str, Any]]], ScoreResult]


@dataclasses.dataclass
class Check:
    """One comparison: ``subject`` (e.g. ``seed 0 auc_top10``), its status and the two values."""

    subject: str
    status: str
    claimed: Any = None
    recomputed: Any = None
    note: str = ""
    #: The metric compared, when the check is about one (used to pick and group lines).
    metric: str | None = None

    def line(self) -> str:
        text = f"{self.status:<9} {self.subject}"
        if self.claimed is not None or self.recomputed is not None:
            text += f": claimed {_fmt(self.claimed)}, recomputed {_fmt(self.recomputed)}"
        return text + (f" ({self.note})" if self.note else "")


@dataclasses.dataclass
class Verification:
    """Outcome of verifying one entry; ``passed`` is False on any mismatch or refusal."""

    path: Path
    checks: list[Check] = dataclasses.field(default_factory=list)
    refused: str | None = None
    provenance: str | None = None
    main_metric: str | None = None

    @property
    def mismatches(self) -> list[Check]:
        return [c for c in self.checks if c.status == MISMATCH]

    @property
    def not_rescorable(self) -> list[Check]:
        return [c for c in self.checks if c.status == NOT_RESCORABLE]

    @property
    def passed(self) -> bool:
        return self.refused is None and not self.mismatches

    @property
    def main_metric_verified(self) -> bool:
        """Whether the entry passed and every seed's value of the main metric was recomputed."""
        values = [c for c in self.checks if c.metric == self.main_metric and c.subject.startswith("seed ")]
        return self.passed and bool(values) and all(c.status == OK for c in values)

    def report(self, verbose: bool = False) -> str:
        """Readable report: every mismatch; matching checks of the main metric (all if ``verbose``)."""
        lines = [str(self.path)]
        if self.provenance:
            lines.append(f"  {self.provenance}")
        if self.refused is not None:
            lines.extend("  " + line for line in f"REFUSED: {self.refused}".splitlines())
            return "\n".join(lines)
        for c in self.checks:
            if c.status == MISMATCH or (c.status == OK and (verbose or c.metric in (None, self.main_metric))):
                lines.append("  " + c.line())
        groups: dict[str, list[Check]] = {}
        for c in self.not_rescorable:
            groups.setdefault(c.note, []).append(c)
        for note, checks in groups.items():
            metrics = ", ".join(dict.fromkeys(c.metric or c.subject for c in checks))
            lines.append(f"  {NOT_RESCORABLE}: {metrics} of {len(checks)} run value(s): {note}")
        n_ok = sum(c.status == OK for c in self.checks)
        verdict = "PASSED" if self.passed else f"FAILED: {len(self.mismatches)} mismatch(es)"
        main = f"main metric {self.main_metric} {'recomputed' if self.main_metric_verified else 'NOT recomputed'}"
        lines.append(f"  => {verdict}; {main}; {n_ok} check(s) match, {len(self.not_rescorable)} value(s) not re-scorable")
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


# ---------------------------------------------------------------------------- environment


def make_env_for(entry: dict[str, Any]):
    """The environment an entry was scored in: its ``env_kwargs`` plus the view it used.

    Runs score through e.g. the sample-level view (``granularity="sample"``), which the
    provenance records among its kwargs; those keys are added so the hashes can agree.
    """
    import gymnasium as gym

    import genenvs  # noqa: F401  registers the environments

    kwargs = dict(entry["env_kwargs"])
    for key, value in entry["provenance"]["kwargs"].items():
        kwargs.setdefault(key, value)
    try:
        return gym.make(entry["env_id"], disable_env_checker=True, **kwargs)
    except (gym.error.Error, TypeError, ValueError) as exc:
        raise LeaderboardError(f"cannot make {entry['env_id']} with {kwargs} in this installation: {exc}") from None


def _canonical_molecules(samples: list[Any]) -> tuple[list[Any], list[bool]]:
    """Canonical SMILES (what MolGen/MolSmiles samples are); unparsable ones are invalid."""
    from genenvs.molecule.properties import canonical_smiles

    canon = [canonical_smiles(s) if isinstance(s, str) else None for s in samples]
    return [c if c is not None else s for s, c in zip(samples, canon)], [c is not None for c in canon]


#: Per-domain normalisation of stored samples into ``(samples, valid)`` before scoring.
#: Domains not listed round-trip each sample through the task (``decode(encode(sample))``):
#: it is valid when ``encode`` accepts it and ``decode`` calls the result valid.
NORMALISERS: dict[str, Callable[[list[Any]], tuple[list[Any], list[bool]]]] = {"molecule": _canonical_molecules}


def _quiet(domain: str | None) -> contextlib.AbstractContextManager:
    """Silence the domain's own logging while re-scoring (RDKit's parser warnings)."""
    if domain == "molecule":
        from rdkit import rdBase

        return rdBase.BlockLogs()
    return contextlib.nullcontext()


def make_rescorer(env_id: str, env) -> Rescorer | str:
    """A function re-scoring stored samples with ``env``'s task, or why there is none."""
    from genenvs.core.registration import describe
    from genenvs.core.task import Context, TokenTask
    from genenvs.rewards.base import SampleBatch

    task = getattr(env.unwrapped, "task", None)
    if not isinstance(task, TokenTask):
        return f"{env_id} is not a token-level environment: top samples are stored as decoded samples, which only a token task scores again"
    if task.context_space is not None:
        return f"{env_id} is conditional: top samples are stored without the problem instance they were scored on"
    try:
        check_rescorable(task.scorer, env_id)
    except NotRescorableError as exc:
        return str(exc)
    try:
        domain, _ = describe(env_id)
    except ValueError:
        domain = None

    def round_trip(samples: list[Any]) -> tuple[list[Any], list[bool]]:
        """encode then decode, as the environment would have produced the sample."""
        out, valid = [], []
        for sample in samples:
            try:
                ids = np.asarray(task.encode(sample, Context()))
            except (ValueError, TypeError):
                out.append(sample)
                valid.append(False)
                continue
            decoded, ok = task.decode(ids[:-1], Context())
            out.append(decoded if ok else sample)
            valid.append(bool(ok))
        return out, valid

    normalise = NORMALISERS.get(domain, round_trip)

    def token_rows(samples: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Padded ids and lengths as the env hands them to scorers that read tokens."""
        L, pad = task.max_length, task.vocab.pad_id
        tokens = np.full((len(samples), L), pad, dtype=np.int64)
        lengths = np.zeros(len(samples), dtype=np.int64)
        for i, sample in enumerate(samples):
            try:
                ids = np.asarray(task.encode(sample, Context()))
            except (ValueError, TypeError):
                continue
            ids = ids[:-1] if len(ids) and ids[-1] == task.vocab.end_id else ids
            n = min(len(ids), L)
            tokens[i, :n], lengths[i] = ids[:n], n
        return tokens, lengths

    def rescore(samples: list[Any]) -> np.ndarray:
        if not samples:
            return np.zeros(0)
        with _quiet(domain):
            samples, valid = normalise(list(samples))
            tokens, lengths = token_rows(samples)
            batch = SampleBatch(samples=samples, tokens=tokens, lengths=lengths, valid=np.array(valid, dtype=bool))
            return np.asarray(task.score(batch).scores, dtype=np.float64)

    return rescore


# ---------------------------------------------------------------------------- verification

#: Why a run's value was not recomputed, when nothing more specific is known.
NOT_DERIVABLE = "not derivable from the stored samples (e.g. a training loss)"
#: Why mean_score_last / validity_last were not recomputed in an entry without final batches.
NO_FINAL_BATCH = "the run stores no final batch (an entry written before final batches were stored; submit the runs again)"


def _sample_check(seed: int, stored: list[dict[str, Any]], scores: np.ndarray) -> Check:
    bad = [(s["sample"], s["score"], float(r)) for s, r in zip(stored, scores) if not close(s["score"], float(r))]
    subject = f"seed {seed} sample scores"
    if not bad:
        return Check(subject, OK, note=f"{len(stored)} samples re-scored, all match")
    sample, claimed, recomputed = bad[0]
    return Check(subject, MISMATCH, claimed, recomputed, note=f"{len(bad)} of {len(stored)} samples differ; first {sample!r}")


def _final_batch_check(seed: int, items: list[dict[str, Any]], scored: ScoreResult) -> Check:
    subject = f"seed {seed} final batch"
    bad = [k for k, (item, s, v) in enumerate(zip(items, scored.scores, scored.valid)) if not close(item["score"], float(s)) or item["valid"] != bool(v)]
    if not bad:
        return Check(subject, OK, note=f"{len(items)} samples scored again with their contexts, all match")
    k = bad[0]
    return Check(subject, MISMATCH, items[k]["score"], float(scored.scores[k]), note=f"{len(bad)} of {len(items)} samples differ in score or validity; first item {k}")


def record_scorer(env_id: str, env) -> RecordScorer | str:
    """The env's ``score_records`` (``genenvs.core.rescoring``), or why it has none."""
    score_records = getattr(env.unwrapped, "score_records", None)
    if score_records is None:
        return f"{env_id} has no score_records() (see genenvs.core.rescoring), so its stored final batch cannot be scored again"
    return score_records


@dataclasses.dataclass
class _RunRecomputation:
    """What one run's stored data gives: recomputed metrics, checks, and why the rest was not recomputed."""

    values: dict[str, float] = dataclasses.field(default_factory=dict)
    checks: list[Check] = dataclasses.field(default_factory=list)
    reasons: dict[str, str] = dataclasses.field(default_factory=dict)

    def not_rescorable(self, names: tuple[str, ...], reason: str) -> None:
        self.reasons.update(dict.fromkeys(names, reason))


def _recompute_top_samples(entry: dict[str, Any], path: Path, i: int, rescore: Rescorer | str, out: _RunRecomputation) -> None:
    """Top samples and oracle calls, stored as decoded samples: PMO's metrics and ``best_score``."""
    from genenvs.wrappers import BudgetTracker

    run = entry["runs"][i]
    if isinstance(rescore, str):
        return out.not_rescorable(("best_score", *ORACLE_METRICS), rescore)
    sample_scores = rescore([s["sample"] for s in run["samples"]])
    if run["samples"]:
        out.checks.append(_sample_check(run["seed"], run["samples"], sample_scores))
    ref = run.get("oracle_call_order")
    if ref is not None:
        keys = read_sibling(path, ref, f"runs[{i}].oracle_call_order")[: entry["budget"]["value"]]  # excess is a consistency error
        tracker = BudgetTracker(entry["budget"]["value"])
        for key, score in zip(keys, rescore(keys)):
            tracker.record(key, float(score))
        out.values.update(tracker.summary())
    elif len(sample_scores):
        out.values["best_score"] = float(sample_scores.max())


def _recompute_final_batch(path: Path, run: dict[str, Any], i: int, score_records: RecordScorer | str, out: _RunRecomputation) -> None:
    """The final batch, stored as records with contexts: ``mean_score_last`` and ``validity_last``."""
    if run.get("final_batch") is None:
        return out.not_rescorable(FINAL_BATCH_METRICS, NO_FINAL_BATCH)
    if isinstance(score_records, str):
        return out.not_rescorable(FINAL_BATCH_METRICS, score_records)
    items = read_final_batch(path, run, i)
    try:
        scored = score_records([item["record"] for item in items])
    except NotRescorableError as exc:
        return out.not_rescorable(FINAL_BATCH_METRICS, str(exc))
    except (KeyError, TypeError, ValueError) as exc:  # a record this environment could not have written
        out.checks.append(Check(f"seed {run['seed']} final batch", MISMATCH, note=f"the stored records cannot be scored: {type(exc).__name__}: {exc}"))
        return None
    out.checks.append(_final_batch_check(run["seed"], items, scored))
    out.values.update(final_batch_metrics([float(s) for s in scored.scores], [bool(v) for v in scored.valid]))
    return None


def verify_entry(path: str | Path) -> Verification:
    """Verify one entry file; never raises for a bad entry (the reason is in ``refused``)."""
    path = Path(path)
    result = Verification(path)
    try:
        entry = load_entry(path)
    except LeaderboardError as exc:
        result.refused = f"the file does not validate:\n{exc}"
        return result
    problems = sibling_problems(entry, path)
    if problems:
        result.refused = "the file does not validate:\n" + "\n".join(f"{path}: {p}" for p in problems)
        return result
    stored = entry["provenance"]
    try:
        env = make_env_for(entry)
    except LeaderboardError as exc:
        result.refused = str(exc)
        return result
    try:
        current = env.unwrapped.provenance
        if current["hash"] != stored["hash"]:
            changes = diff_provenance(stored, current) or ["(no hashed field differs: the hash function itself changed)"]
            result.refused = (
                f"provenance hash {stored['hash']} of the entry does not match the installed {entry['env_id']} ({current['hash']}); "
                "the entry was scored by another version of the environment. Changed:\n" + "\n".join(f"  {c}" for c in changes)
            )
            return result
        result.main_metric = entry["main_metric"]["name"]
        result.provenance = f"provenance {stored['hash']} matches the installed {entry['env_id']}"
        _compare(entry, path, make_rescorer(entry["env_id"], env), record_scorer(entry["env_id"], env), result)
    finally:
        env.close()
    return result


def _compare(entry: dict[str, Any], path: Path, rescore: Rescorer | str, score_records: RecordScorer | str, result: Verification) -> None:
    per_run: list[dict[str, float]] = []
    for i, run in enumerate(entry["runs"]):
        found = _RunRecomputation()
        _recompute_top_samples(entry, path, i, rescore, found)
        _recompute_final_batch(path, run, i, score_records, found)
        result.checks.extend(found.checks)
        per_run.append(found.values)
        for name, claimed in run["metrics"].items():
            subject = f"seed {run['seed']} {name}"
            if name in found.values:
                ok = close(claimed, found.values[name])
                result.checks.append(Check(subject, OK if ok else MISMATCH, claimed, found.values[name], metric=name))
            else:
                result.checks.append(Check(subject, NOT_RESCORABLE, note=found.reasons.get(name, NOT_DERIVABLE), metric=name))
    for name, claimed in entry["aggregate"].items():
        if all(name in r for r in per_run) and all(r[name] is not None for r in per_run):
            again = summarize([r[name] for r in per_run])
            for key in ("mean", "ci95"):
                a, b = claimed[key], again[key]
                result.checks.append(Check(f"aggregate {name} {key}", OK if close(a, b) else MISMATCH, a, b, metric=name))
    for problem in consistency_problems(entry, path):
        result.checks.append(Check("consistency", MISMATCH, note=problem))


def verify_path(paths: list[str | Path]) -> list[Verification]:
    from genenvs.leaderboard.entry import find_entries

    return [verify_entry(p) for path in paths for p in find_entries(path)]
