"""Shared fixtures: tiny real baseline runs (random policy, 64 oracle calls) and their entry."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from genenvs.leaderboard.entry import dumps
from genenvs.leaderboard.submit import submit

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "leaderboard" / "results"
DATE = "2026-01-01"


def make_runs(base: Path, env_id: str, budget: int, seeds=(0, 1, 2), algo: str = "random") -> list[Path]:
    from baselines.train import run

    dirs = []
    for seed in seeds:
        out = base / f"{env_id}-{algo}-s{seed}"
        run(env_id, algo, seed=seed, budget=budget, out=out, device="cpu")
        dirs.append(out)
    return dirs


@pytest.fixture(scope="session")
def tiny_runs(tmp_path_factory) -> list[Path]:
    """Three seeds of the random baseline on MolGen-v0 with 64 oracle calls each."""
    return make_runs(tmp_path_factory.mktemp("runs"), "MolGen-v0", 64)


@pytest.fixture(scope="session")
def tiny_entry_master(tiny_runs, tmp_path_factory) -> Path:
    return submit(tiny_runs, root=tmp_path_factory.mktemp("lb"), date=DATE)


@pytest.fixture
def tiny_entry(tiny_entry_master, tmp_path) -> Path:
    """A fresh copy (entry + sibling files) that a test may edit."""
    dest = tmp_path / "results" / "MolGen-v0"
    shutil.copytree(tiny_entry_master.parent, dest)
    return dest / tiny_entry_master.name


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Apply ``change`` to the entry at ``path`` in place and rewrite it; returns the entry."""
    entry = json.loads(path.read_text())
    change(entry)
    path.write_text(dumps(entry))
    return entry


def cli(*argv: str) -> int:
    from genenvs.cli import main

    return main(["leaderboard", *argv])
