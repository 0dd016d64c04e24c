"""`genenvs leaderboard render`: README tables and plots, byte-for-byte deterministic."""

from __future__ import annotations

import json
import shutil

import pytest

from genenvs.leaderboard.entry import LeaderboardError
from genenvs.leaderboard.render import render
from tests.leaderboard.conftest import REPO, SHIPPED, cli


@pytest.fixture
def root(tmp_path):
    """A copy of the shipped leaderboard's results."""
    shutil.copytree(SHIPPED, tmp_path / "results")
    return tmp_path


def _snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and "results" not in p.parts}


def test_rendering_twice_gives_identical_bytes(root):
    written = [p.relative_to(root).as_posix() for p in render(root)]
    assert written[0] == "README.md" and "plots/MolGen-v0.png" in written
    first = _snapshot(root)
    render(root)
    assert _snapshot(root) == first
    assert first["plots/MolGen-v0.png"].startswith(b"\x89PNG") and b"Software" not in first["plots/MolGen-v0.png"]


def test_shipped_readme_is_up_to_date(root):
    render(root)
    assert (root / "README.md").read_text() == (REPO / "leaderboard" / "README.md").read_text(), "run `genenvs leaderboard render`"


def test_table_is_ranked_by_the_main_metric_with_its_interval(root):
    render(root)
    readme = (root / "README.md").read_text()
    section = readme.split("## MolGen-v0\n")[1].split("\n## ")[0]
    entries = [json.loads(p.read_text()) for p in sorted((root / "results" / "MolGen-v0").glob("*.json"))]
    entries = [e for e in entries if e["budget"]["value"] == 1000 and e["env_kwargs"] == {}]
    ranked = sorted(entries, key=lambda e: -e["aggregate"]["auc_top10"]["mean"])
    table = section.split("Budget 1000 oracle calls · env_kwargs `{}`")[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [row.split(" | ")[1] for row in rows] == [e["algorithm"]["name"] for e in ranked]
    best = ranked[0]["aggregate"]["auc_top10"]
    low, high = best["ci95"]
    assert rows[0].startswith(f"| 1 | {ranked[0]['algorithm']['name']} | {best['mean']:.4f} ± {(high - low) / 2:.4f} | ")
    assert f"| 1000 oracle calls | 3 | {ranked[0]['date']} | [" in rows[0]
    assert "![Learning curves on MolGen-v0](plots/MolGen-v0.png)" in section


def test_other_settings_get_their_own_table(root, tiny_entry_master):
    shutil.copytree(tiny_entry_master.parent, root / "results" / "MolGen-v0", dirs_exist_ok=True)
    render(root)
    readme = (root / "README.md").read_text()
    assert readme.count("## MolGen-v0") == 1
    assert "Budget 64 oracle calls" in readme and "Budget 1000 oracle calls" in readme
    assert "| 1 | random | " in readme.split("Budget 64 oracle calls")[1].split("Budget 1000")[0]


def test_invalid_entries_stop_rendering_and_stale_plots_go(root, capsys):
    (root / "plots").mkdir()
    (root / "plots" / "Gone-v0.png").write_bytes(b"old")
    render(root)
    assert not (root / "plots" / "Gone-v0.png").exists()
    broken = root / "results" / "MolGen-v0" / "broken.json"
    broken.write_text('{"env_id": "MolGen-v0",')
    with pytest.raises(LeaderboardError, match=f"{broken}: not valid JSON"):
        render(root)
    assert cli("render", "--root", str(root)) == 1
    assert "cannot render invalid entries" in capsys.readouterr().err


def test_empty_leaderboard_renders(tmp_path):
    render(tmp_path)
    assert "No entries yet" in (tmp_path / "README.md").read_text()
