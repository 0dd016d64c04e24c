"""The leaderboard entry: file layout, loading, sibling files and seed statistics.

An entry is one JSON file ``leaderboard/results/<ENV_ID>/<name>.json`` that follows
``schema.json`` (shipped with the package). Long per-seed lists that a verifier needs but
a reader does not (every oracle call in order, for PMO's AUC; the final batch of samples
with their contexts, for the main metric) live beside it in gzipped JSON files whose
SHA-256 the entry records, so the entry stays readable and the data cannot drift from it
unnoticed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
#: Baseline entries need this many seeds before a mean and a confidence interval mean much.
MIN_BASELINE_SEEDS = 3
#: Budget units whose runs count unique oracle calls (PMO) and store their call order.
ORACLE_UNIT = "oracle_calls"
#: Run fields that reference a sibling file -> the word naming that file.
SIBLING_FIELDS = {"oracle_call_order": "oracle_calls", "final_batch": "final_batch"}


class LeaderboardError(ValueError):
    """A leaderboard file or run folder that cannot be used; the message names it."""


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema every entry follows (``genenvs/leaderboard/schema.json``)."""
    return json.loads(files("genenvs.leaderboard").joinpath("schema.json").read_text())


def read_json(path: str | Path) -> Any:
    """Parse a JSON file; a syntax error names the file, line, column and character offset."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LeaderboardError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise LeaderboardError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LeaderboardError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} (char {exc.pos} of {len(text)})") from None


def dumps(entry: dict[str, Any], width: int = 100) -> str:
    """Entries are written one way only, so that rewriting an unchanged entry changes no byte.

    Like ``json.dumps(indent=2)``, except that an object or array whose compact form fits
    in ``width`` columns stays on one line (a sample, a curve point, the list of seeds).
    """
    return _format(plain(entry), 0, width) + "\n"


def _format(value: Any, indent: int, width: int) -> str:
    compact = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
    if not isinstance(value, (dict, list)) or not value or indent + len(compact) <= width:
        return compact
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_format(v, indent + 2, width)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + _format(v, indent + 2, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def plain(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become ``null`` (JSON has no such numbers)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# ---------------------------------------------------------------------------- sibling files


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def gzip_json_bytes(value: Any) -> bytes:
    """Gzipped compact JSON with a zero timestamp, so equal content gives equal bytes."""
    return gzip.compress(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), compresslevel=9, mtime=0)


def read_sibling(entry_path: str | Path, ref: dict[str, Any], field: str) -> list[Any]:
    """Contents of a sibling file referenced as ``{"file", "sha256", "count"}``, all checked.

    ``field`` is the entry field holding ``ref`` (e.g. ``runs[0].oracle_call_order``) and
    appears in every error message together with the file.
    """
    entry_path = Path(entry_path)
    path = entry_path.parent / ref["file"]
    if not path.is_file():
        raise LeaderboardError(f"{entry_path}: field '{field}': sibling file {path} is missing")
    digest = sha256_of(path)
    if digest != ref["sha256"]:
        raise LeaderboardError(f"{entry_path}: field '{field}.sha256': {path.name} has sha256 {digest}, the entry records {ref['sha256']}")
    try:
        value = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LeaderboardError(f"{entry_path}: field '{field}': {path.name} is not gzipped JSON ({exc})") from None
    if not isinstance(value, list):
        raise LeaderboardError(f"{entry_path}: field '{field}': {path.name} holds a {type(value).__name__}, expected a JSON list")
    if len(value) != ref["count"]:
        raise LeaderboardError(f"{entry_path}: field '{field}.count': {path.name} holds {len(value)} items, the entry records {ref['count']}")
    return value


# ---------------------------------------------------------------------------- statistics


def summarize(values: list[float]) -> dict[str, Any]:
    """Mean, sample standard deviation and 95% CI of the mean (Student t, n - 1 dof).

    With a single seed the spread is unknown: ``std`` and ``ci95`` are ``None``.
    """
    from scipy.special import stdtrit  # Student t quantile; far lighter to import than scipy.stats

    n = len(values)
    if n == 0:
        raise ValueError("summarize() needs at least one value")
    mean = math.fsum(values) / n
    if n == 1:
        return {"n": 1, "mean": mean, "std": None, "ci95": None}
    std = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    half = float(stdtrit(n - 1, 0.975)) * std / math.sqrt(n)
    return {"n": n, "mean": mean, "std": std, "ci95": [mean - half, mean + half]}


def aggregate_metrics(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Summaries of every metric that is a number in every run, in the first run's order."""
    out = {}
    for name in runs[0]["metrics"]:
        values = [run["metrics"].get(name) for run in runs]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
            out[name] = summarize([float(v) for v in values])
    return out


def close(a: Any, b: Any, rel: float = 1e-4, abs_tol: float = 1e-5) -> bool:
    """Whether a claimed and a recomputed value agree up to float noise (not drift).

    Numbers, ``None`` (a NaN or an undefined interval) or lists of them (an interval). The
    tolerance covers float32 scorers (an image classifier, a spectrogram distance), whose
    value for a sample changes with the size of the batch it is scored in (SynthMatch-v0:
    up to 1.3e-5 relative, 2e-5 absolute over 400 sounds scored alone and then together).
    """
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, rel, abs_tol) for x, y in zip(a, b))
    if a is None or b is None or isinstance(a, list) or isinstance(b, list):
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def final_batch_metrics(scores: list[float], valid: list[bool]) -> dict[str, float]:
    """The metrics a final batch defines: ``mean_score_last`` and ``validity_last``."""
    if not scores:
        return {}
    mean = None if any(s is None for s in scores) else math.fsum(scores) / len(scores)  # None: a NaN score
    return {"mean_score_last": mean, "validity_last": sum(map(bool, valid)) / len(valid)}


# ---------------------------------------------------------------------------- layout


def entry_stem(algo: str, budget_value: int, provenance_hash: str) -> str:
    """File name (without ``.json``) of an entry: algorithm, budget and provenance prefix."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in algo)
    return f"{safe}_{budget_value}_{provenance_hash[:8]}"


def sibling_name(entry_path: str | Path, seed: int, what: str = "oracle_calls") -> str:
    return f"{Path(entry_path).stem}.seed{seed}.{what}.json.gz"


def find_entries(path: str | Path) -> list[Path]:
    """Entry files at ``path``: the file itself, or every ``*.json`` below a folder, sorted."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.exists():
        raise LeaderboardError(f"{path}: no such file or folder")
    return sorted(p for p in path.rglob("*.json") if p.is_file())
