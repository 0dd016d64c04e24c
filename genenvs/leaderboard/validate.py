"""``genenvs leaderboard validate``: schema, checksums and internal consistency of entries.

Validation needs no environment: it checks that a file parses, follows the schema, that
its sibling files are present with the recorded SHA-256, and that the numbers agree with
each other (the aggregate is the statistics of the per-seed values, the provenance hash
is the hash of the stored record). Whether the numbers are *true* is
:mod:`genenvs.leaderboard.verify`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema

from genenvs.core.provenance import provenance_hash
from genenvs.leaderboard.entry import ORACLE_UNIT, SIBLING_FIELDS, LeaderboardError, aggregate_metrics, close, final_batch_metrics, read_json, read_sibling, schema

#: Longer values are described by their size in messages, not quoted.
_MAX_QUOTE = 60


def field_name(parts: Iterable[Any]) -> str:
    """``["runs", 0, "seed"]`` -> ``runs[0].seed``; the empty path is the entry itself."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(entry)"


def _short(value: Any) -> str:
    """A value as it appears in a message: big lists and objects by their size, not content."""
    text = repr(value)
    if len(text) <= _MAX_QUOTE:
        return text
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return f"an object with {len(value)} key(s)"
    return text[: _MAX_QUOTE - 3] + "..."


def _schema_problem(error: jsonschema.ValidationError) -> str:
    parts = list(error.absolute_path)
    comment = error.schema.get("$comment") if isinstance(error.schema, dict) else None
    if error.validator == "required":
        missing = [p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance and repr(p) in error.message]
        if missing:
            return f"field '{field_name(parts + [missing[0]])}': missing (required{'; ' + comment if comment else ''})"
    message = error.message
    quoted = repr(error.instance)
    if message.startswith(quoted):
        message = _short(error.instance) + message[len(quoted) :]
    if comment:
        message += f" ({comment})"
    return f"field '{field_name(parts)}': {message}"


def schema_problems(entry: Any) -> list[str]:
    """Schema violations of a parsed entry, one line each, ordered by field."""
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(entry), key=lambda e: ([str(p) for p in e.absolute_path], e.message))
    return [_schema_problem(e) for e in errors]


def load_entry(path: str | Path) -> dict[str, Any]:
    """Parse an entry and check it against the schema; raises :class:`LeaderboardError`.

    The error lists every schema violation, each naming the file and the field.
    """
    path = Path(path)
    entry = read_json(path)
    problems = schema_problems(entry)
    if problems:
        raise LeaderboardError("\n".join(f"{path}: {p}" for p in problems))
    return entry


def sibling_problems(entry: dict[str, Any], path: str | Path) -> list[str]:
    """Missing, corrupted or miscounted sibling files (each checked against its SHA-256), malformed final batches."""
    problems = []
    for i, run in enumerate(entry["runs"]):
        for field in SIBLING_FIELDS:
            if run.get(field) is None:
                continue
            try:
                items = read_sibling(path, run[field], f"runs[{i}].{field}")
            except LeaderboardError as exc:
                problems.append(str(exc).removeprefix(f"{path}: "))
                continue
            bad = _first_malformed(items) if field == "final_batch" else None
            if bad is not None:
                problems.append(f"field 'runs[{i}].final_batch': item {bad} of {run[field]['file']} is not an object with 'record' (object), 'score' (number) and 'valid' (bool)")
    return problems


def _first_malformed(items: list[Any]) -> int | None:
    """Index of the first final-batch item that is not ``{"record": {...}, "score": number or null, "valid": bool}``."""
    for k, item in enumerate(items):
        score = item.get("score") if isinstance(item, dict) else None
        if not (isinstance(item, dict) and isinstance(item.get("record"), dict) and isinstance(item.get("valid"), bool) and (score is None or isinstance(score, (int, float)))):
            return k
    return None


def read_final_batch(entry_path: str | Path, run: dict[str, Any], i: int) -> list[dict[str, Any]]:
    """The run's stored final batch (items ``{"record", "score", "valid"}``), checked; [] when it has none."""
    ref = run.get("final_batch")
    return [] if ref is None else read_sibling(entry_path, ref, f"runs[{i}].final_batch")


def consistency_problems(entry: dict[str, Any], path: str | Path) -> list[str]:
    """Numbers and identifiers of a schema-valid entry that contradict each other."""
    path = Path(path)
    problems = []
    run_seeds = [run["seed"] for run in entry["runs"]]
    if entry["seeds"] != run_seeds:
        problems.append(f"field 'seeds': {entry['seeds']} but the runs hold seeds {run_seeds}")
    prov = entry["provenance"]
    if prov["env_id"] != entry["env_id"]:
        problems.append(f"field 'provenance.env_id': {prov['env_id']!r} but the entry is for {entry['env_id']!r}")
    recorded = provenance_hash(prov)
    if recorded != prov["hash"]:
        problems.append(f"field 'provenance.hash': {prov['hash']} is not the hash of the stored record ({recorded}); the record was edited")
    if path.parent.parent.name == "results" and path.parent.name != entry["env_id"]:
        problems.append(f"field 'env_id': {entry['env_id']!r} but the file is in the folder of {path.parent.name!r}")
    for i, run in enumerate(entry["runs"]):
        used = run["budget_used"]
        if entry["budget"]["unit"] == ORACLE_UNIT and used is not None and used > entry["budget"]["value"]:
            problems.append(f"field 'runs[{i}].budget_used': {used} oracle calls exceed the budget of {entry['budget']['value']}")
        ref = run.get("oracle_call_order")
        if ref is not None and ref["count"] > entry["budget"]["value"]:
            problems.append(f"field 'runs[{i}].oracle_call_order.count': {ref['count']} oracle calls exceed the budget of {entry['budget']['value']}")
        calls = run["metrics"].get("oracle_calls")
        if ref is not None and calls is not None and calls != ref["count"]:
            problems.append(f"field 'runs[{i}].metrics.oracle_calls': {calls} but oracle_call_order lists {ref['count']} calls")
    problems.extend(final_batch_problems(entry, path))
    problems.extend(aggregate_problems(entry))
    main = entry["main_metric"]["name"]
    if main not in entry["aggregate"]:
        problems.append(f"field 'main_metric.name': {main!r} has no aggregate (aggregated: {sorted(entry['aggregate'])})")
    return problems


def final_batch_problems(entry: dict[str, Any], path: str | Path) -> list[str]:
    """Where ``mean_score_last`` / ``validity_last`` are not the means of the stored final batch."""
    problems = []
    for i, run in enumerate(entry["runs"]):
        try:
            items = read_final_batch(path, run, i)
        except LeaderboardError:
            continue  # reported by sibling_problems
        if _first_malformed(items) is not None:
            continue  # reported by sibling_problems
        stored = final_batch_metrics([item["score"] for item in items], [item["valid"] for item in items])
        for name, value in stored.items():
            if name in run["metrics"] and not close(run["metrics"][name], value):
                problems.append(f"field 'runs[{i}].metrics.{name}': claimed {_fmt(run['metrics'][name])}, but the stored final batch gives {_fmt(value)}")
    return problems


def aggregate_problems(entry: dict[str, Any]) -> list[str]:
    """Where ``aggregate`` is not the statistics of the per-seed metrics: claimed vs recomputed."""
    problems = []
    expected = aggregate_metrics(entry["runs"])
    claimed = entry["aggregate"]
    for name in sorted(set(claimed) - set(expected)):
        problems.append(f"field 'aggregate.{name}': no run reports a numeric {name!r} for every seed")
    for name in sorted(set(expected) - set(claimed)):
        problems.append(f"field 'aggregate.{name}': missing; every run reports it")
    for name in [n for n in expected if n in claimed]:
        for key in ("n", "mean", "std", "ci95"):
            a, b = claimed[name][key], expected[name][key]
            if not close(a, b):
                problems.append(f"field 'aggregate.{name}.{key}': claimed {_fmt(a)}, recomputed from the per-seed metrics {_fmt(b)}")
    return problems


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return repr(value)


def validate_file(path: str | Path) -> list[str]:
    """Every problem of one entry file, each line naming the file and the field; [] if valid."""
    path = Path(path)
    try:
        entry = load_entry(path)
    except LeaderboardError as exc:
        return str(exc).splitlines()
    problems = sibling_problems(entry, path) + consistency_problems(entry, path)
    return [f"{path}: {p}" for p in problems]


def validate_path(path: str | Path) -> dict[Path, list[str]]:
    """:func:`validate_file` for one file or every ``*.json`` below a folder."""
    from genenvs.leaderboard.entry import find_entries

    return {p: validate_file(p) for p in find_entries(path)}
