"""Leaderboard library: entry schema, validation, verification by re-scoring, rendering.

The data lives in the repository's top-level ``leaderboard/`` folder; the format is
described in ``docs/leaderboard.md`` and fixed by ``schema.json`` in this package.
"""

from genenvs.leaderboard.entry import LeaderboardError, read_json, schema, summarize
from genenvs.leaderboard.render import render
from genenvs.leaderboard.submit import build_entry, submit, write_entry
from genenvs.leaderboard.validate import load_entry, validate_file, validate_path
from genenvs.leaderboard.verify import Check, Verification, verify_entry

__all__ = [
    "Check",
    "LeaderboardError",
    "Verification",
    "build_entry",
    "load_entry",
    "read_json",
    "render",
    "schema",
    "submit",
    "summarize",
    "validate_file",
    "validate_path",
    "verify_entry",
    "write_entry",
]
