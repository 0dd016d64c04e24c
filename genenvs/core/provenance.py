"""Provenance: what exactly an environment instance scores, and a hash of it.

Two environments that could score a sample differently (another objective, scorer
version, data file, vocabulary, length limit...) get different hashes. The package
version is recorded but *not* hashed: a release that leaves scoring alone must not
invalidate leaderboard entries, and any change that does alter scoring bumps the
scorer's or task's ``version`` (which is hashed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from genenvs.rewards.base import _jsonable

#: kwargs that change how any env is displayed or driven, not what it scores. A task adds
#: its own through ``TokenTask.non_scoring_kwargs`` (the ``non_scoring`` argument below).
NON_SCORING_KWARGS = frozenset({"render_mode", "num_envs", "autoreset_mode", "vectorization_mode", "disable_env_checker"})

HASHED_FIELDS = ("env_id", "granularity", "kwargs", "task", "step_rewards")


def provenance_record(
    env_id: str | None,
    granularity: str,
    kwargs: dict[str, Any],
    task_identity: dict[str, Any],
    step_rewards: list[dict[str, Any]],
    non_scoring: Iterable[str] = (),
) -> dict[str, Any]:
    """The record of what an env scores; ``kwargs`` named in ``non_scoring`` (or
    :data:`NON_SCORING_KWARGS`) are left out of it and of its hash."""
    from genenvs import __version__

    skip = NON_SCORING_KWARGS.union(non_scoring)
    record = {
        "env_id": env_id,
        "granularity": granularity,
        "kwargs": _jsonable({k: v for k, v in kwargs.items() if k not in skip}),
        "task": task_identity,
        "step_rewards": step_rewards,
        "package_version": __version__,
    }
    record["hash"] = provenance_hash(record)
    return record


def provenance_hash(record: dict[str, Any]) -> str:
    payload = {k: record.get(k) for k in HASHED_FIELDS}
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def diff_provenance(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Human-readable list of the hashed fields that differ between two records."""
    changes = []
    keys = HASHED_FIELDS if not prefix else sorted(set(old) | set(new))
    for key in keys:
        a, b = old.get(key), new.get(key)
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            changes.extend(diff_provenance(a, b, prefix=path + "."))
        elif a != b:
            changes.append(f"{path}: {a!r} -> {b!r}")
    return changes
