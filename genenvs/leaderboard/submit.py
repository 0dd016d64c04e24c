"""``genenvs leaderboard submit``: one entry from several baseline run folders (one per seed).

A run folder is what ``python -m baselines.train`` writes (``config.json`` and
``result.json``; see ``baselines/common/run_logger.py``). Runs of one entry must be the
same experiment with different seeds: same environment, algorithm, hyperparameters,
budget, ``env_kwargs`` and environment provenance hash. The oracle-call order and the
final batch of a run go to gzipped sibling files beside the entry.
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Any

from genenvs.leaderboard.entry import (
    MIN_BASELINE_SEEDS,
    ORACLE_UNIT,
    SCHEMA_VERSION,
    SIBLING_FIELDS,
    LeaderboardError,
    aggregate_metrics,
    dumps,
    entry_stem,
    gzip_json_bytes,
    plain,
    read_json,
    sibling_name,
)

#: Curves longer than this are thinned evenly (first and last points kept) to keep entries small.
MAX_CURVE_POINTS = 500
#: Substrings of metric names where smaller is better.
_LOWER_IS_BETTER = ("nll", "loss", "kl_", "perplexity", "error")

_RESULT_FIELDS = ("env_id", "algo", "seed", "budget", "metrics", "samples", "provenance", "wall_time_s", "curve")
_CONFIG_FIELDS = ("env", "algo", "seed", "hyperparameters", "env_kwargs", "command", "device", "versions", "git_commit", "hardware")


def load_run(run_dir: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(config, result)`` of a run folder; errors name the folder, file and field."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise LeaderboardError(f"{run_dir}: not a run folder (no such directory)")
    config, result = read_json(run_dir / "config.json"), read_json(run_dir / "result.json")
    for name, record, fields in (("config.json", config, _CONFIG_FIELDS), ("result.json", result, _RESULT_FIELDS)):
        if not isinstance(record, dict):
            raise LeaderboardError(f"{run_dir / name}: expected a JSON object")
        missing = [f for f in fields if f not in record]
        if missing:
            raise LeaderboardError(f"{run_dir / name}: missing field(s) {missing}; was the run interrupted? (result.json is written when a run finishes)")
    return config, result


def _same(runs: list[tuple[Path, dict[str, Any], dict[str, Any]]], what: str, get) -> None:
    first_dir, first = runs[0][0], get(runs[0][1], runs[0][2])
    for run_dir, config, result in runs[1:]:
        value = get(config, result)
        if value != first:
            raise LeaderboardError(f"runs differ in {what}: {first_dir} has {first!r}, {run_dir} has {value!r}; an entry groups seeds of one experiment")


def curve_of(result: dict[str, Any]) -> dict[str, Any]:
    """The run's learning curve as ``{"x", "y", "points": [[x, y], ...]}``.

    ``RunLogger`` stores rows ``{x_name: x, main_metric: y}``; rows missing either are skipped.
    """
    rows = [r for r in result["curve"] if isinstance(r, dict) and len(r) == 2]
    if not rows:
        return {"x": "step", "y": "score", "points": []}
    x_name, y_name = list(rows[0])
    points = [[float(r[x_name]), float(r[y_name])] for r in rows if x_name in r and y_name in r and r[y_name] is not None]
    if len(points) > MAX_CURVE_POINTS:
        step = (len(points) - 1) / (MAX_CURVE_POINTS - 1)
        points = [points[round(i * step)] for i in range(MAX_CURVE_POINTS)]
    return {"x": x_name, "y": y_name, "points": plain(points)}


def default_main_metric(unit: str, metrics: dict[str, Any]) -> str:
    """PMO's AUC of the top-10 curve for oracle budgets; otherwise the final mean score."""
    for name in (("auc_top10",) if unit == ORACLE_UNIT else ()) + ("mean_score_last", "best_score", "valid_nll"):
        if name in metrics:
            return name
    return next(iter(metrics))


def numeric_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """The metrics an entry keeps: numbers (NaN as ``null``); other values (e.g. a SMILES) stay in the run folder."""
    return {k: v for k, v in plain(metrics).items() if v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))}


def build_entry(run_dirs: list[str | Path], *, date: str | None = None, main_metric: str | None = None, higher_is_better: bool | None = None, notes: str | None = None) -> tuple[dict[str, Any], dict[int, dict[str, list[Any]]]]:
    """The entry for ``run_dirs`` and, per seed, the lists to store beside it (field -> list).

    Sibling references (``oracle_call_order``, ``final_batch``) are filled in by :func:`write_entry`.
    """
    if not run_dirs:
        raise LeaderboardError("submit needs at least one run folder")
    runs = sorted(((Path(d), *load_run(d)) for d in run_dirs), key=lambda r: r[2]["seed"])
    seeds = [result["seed"] for _, _, result in runs]
    if len(set(seeds)) != len(seeds):
        dup = sorted({s for s in seeds if seeds.count(s) > 1})
        raise LeaderboardError(f"seeds must be distinct, but seed(s) {dup} appear more than once in {[str(d) for d, _, _ in runs]}")
    if len(runs) < MIN_BASELINE_SEEDS:
        raise LeaderboardError(f"a baseline entry needs at least {MIN_BASELINE_SEEDS} seeds, got {len(runs)} (seeds {seeds})")
    _same(runs, "environment", lambda c, r: r["env_id"])
    _same(runs, "algorithm", lambda c, r: r["algo"])
    _same(runs, "budget", lambda c, r: (r["budget"].get("unit"), r["budget"].get("value")))
    _same(runs, "env_kwargs", lambda c, r: c["env_kwargs"])
    _same(runs, "provenance hash", lambda c, r: r["provenance"].get("hash"))
    _same(runs, "hyperparameters", lambda c, r: c["hyperparameters"])

    _, config0, result0 = runs[0]
    unit = result0["budget"]["unit"]
    records, siblings = [], {}
    for run_dir, config, result in runs:
        if unit == ORACLE_UNIT and result.get("oracle_call_order") is None:
            raise LeaderboardError(f"{run_dir / 'result.json'}: field 'oracle_call_order' is missing; an oracle-budget entry needs it to re-score the AUC")
        siblings[result["seed"]] = {field: plain(result[field]) for field in SIBLING_FIELDS if result.get(field) is not None}
        records.append(
            {
                "seed": result["seed"],
                "command": config["command"],
                "device": config["device"],
                "hardware": config["hardware"],
                "versions": config["versions"],
                "git_commit": config["git_commit"],
                "wall_time_s": result["wall_time_s"],
                "budget_used": result["budget"].get("used"),
                "metrics": numeric_metrics(result["metrics"]),
                "samples": plain(result["samples"]),
                "curve": curve_of(result),
            }
        )
    main = main_metric or default_main_metric(unit, records[0]["metrics"])
    aggregate = aggregate_metrics(records)
    if main not in aggregate:
        raise LeaderboardError(f"main metric {main!r} is not a number in every run; numeric metrics: {sorted(aggregate)}")
    entry = {
        "schema_version": SCHEMA_VERSION,
        "kind": "baseline",
        "env_id": result0["env_id"],
        "env_kwargs": config0["env_kwargs"],
        "provenance": result0["provenance"],
        "algorithm": {"name": result0["algo"], "hyperparameters": config0["hyperparameters"]},
        "budget": {"unit": unit, "value": int(result0["budget"]["value"])},
        "main_metric": {"name": main, "higher_is_better": higher_is_better if higher_is_better is not None else not any(s in main for s in _LOWER_IS_BETTER)},
        "seeds": [r["seed"] for r in records],
        "runs": records,
        "aggregate": aggregate,
        "wall_time_s": round(sum(r["wall_time_s"] for r in records), 2),
        "date": date or datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
    }
    if notes:
        entry["notes"] = notes
    return entry, siblings


def default_entry_path(entry: dict[str, Any], root: str | Path = "leaderboard") -> Path:
    stem = entry_stem(entry["algorithm"]["name"], entry["budget"]["value"], entry["provenance"]["hash"])
    return Path(root) / "results" / entry["env_id"] / f"{stem}.json"


def write_entry(entry: dict[str, Any], siblings: dict[int, dict[str, list[Any]]], path: str | Path, *, force: bool = False) -> Path:
    """Write the entry and its gzipped sibling files (checksums recorded in the entry).

    ``siblings`` maps a seed to its lists by run field (``oracle_call_order``, ``final_batch``).
    """
    path = Path(path)
    if path.suffix != ".json":
        raise LeaderboardError(f"{path}: an entry file name must end in .json")
    text_before = path.read_text() if path.exists() else None
    blobs = {}
    for run in entry["runs"]:
        for field, items in siblings.get(run["seed"], {}).items():
            name = sibling_name(path, run["seed"], SIBLING_FIELDS[field])
            blobs[name] = gzip_json_bytes(items)
            run[field] = {"file": name, "sha256": hashlib.sha256(blobs[name]).hexdigest(), "count": len(items)}
    text = dumps(entry)
    if text_before is not None and text_before != text and not force:
        raise LeaderboardError(f"{path} already exists with other content; pass --force to replace it or --out to choose another file")
    path.parent.mkdir(parents=True, exist_ok=True)
    for name, blob in blobs.items():
        (path.parent / name).write_bytes(blob)
    path.write_text(text, encoding="utf-8")
    return path


def submit(run_dirs: list[str | Path], out: str | Path | None = None, root: str | Path = "leaderboard", *, force: bool = False, **options: Any) -> Path:
    """Build, write and validate the entry of ``run_dirs``; returns its path."""
    from genenvs.leaderboard.validate import validate_file

    entry, siblings = build_entry(run_dirs, **options)
    path = write_entry(entry, siblings, out or default_entry_path(entry, root), force=force)
    problems = validate_file(path)
    if problems:
        raise LeaderboardError("the written entry does not validate:\n" + "\n".join(problems))
    return path
