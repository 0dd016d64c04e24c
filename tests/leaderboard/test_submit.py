"""Building entries from run folders: content, reproducibility, refusals, statistics, CLI."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import shutil

import pytest

from genenvs.cli import build_parser
from genenvs.leaderboard.entry import LeaderboardError, dumps, summarize
from genenvs.leaderboard.submit import build_entry, submit
from tests.leaderboard.conftest import DATE, cli


def test_entry_records_everything_needed_to_reproduce_and_rescore(tiny_runs, tiny_entry):
    entry = json.loads(tiny_entry.read_text())
    results = [json.loads((d / "result.json").read_text()) for d in tiny_runs]
    configs = [json.loads((d / "config.json").read_text()) for d in tiny_runs]
    assert tiny_entry.parent.name == "MolGen-v0" and tiny_entry.name == f"random_64_{results[0]['provenance']['hash'][:8]}.json"
    assert entry["env_id"] == "MolGen-v0" and entry["kind"] == "baseline" and entry["date"] == DATE
    assert entry["provenance"] == results[0]["provenance"] and entry["env_kwargs"] == {}
    assert entry["algorithm"] == {"name": "random", "hyperparameters": configs[0]["hyperparameters"]}
    assert entry["budget"] == {"unit": "oracle_calls", "value": 64}
    assert entry["seeds"] == [0, 1, 2] and entry["main_metric"] == {"name": "auc_top10", "higher_is_better": True}
    for run, result, config in zip(entry["runs"], results, configs):
        assert run["metrics"] == result["metrics"] and run["samples"] == result["samples"]
        assert run["command"] == config["command"] and run["versions"] == config["versions"] and run["hardware"] == config["hardware"]
        assert run["git_commit"] == config["git_commit"] and run["device"] == "cpu" and run["wall_time_s"] == result["wall_time_s"]
        assert run["curve"]["x"] == "oracle_calls" and run["curve"]["y"] == "top10"
        assert run["curve"]["points"] == [[r["oracle_calls"], r["top10"]] for r in result["curve"]]
        ref = run["oracle_call_order"]
        blob = (tiny_entry.parent / ref["file"]).read_bytes()
        assert ref["sha256"] == hashlib.sha256(blob).hexdigest()
        assert json.loads(gzip.decompress(blob)) == result["oracle_call_order"] and ref["count"] == result["metrics"]["oracle_calls"]
    aucs = [r["metrics"]["auc_top10"] for r in results]
    agg = entry["aggregate"]["auc_top10"]
    assert agg["n"] == 3 and math.isclose(agg["mean"], sum(aucs) / 3, rel_tol=1e-12)
    assert agg["ci95"][0] < agg["mean"] < agg["ci95"][1]
    assert math.isclose(entry["wall_time_s"], sum(r["wall_time_s"] for r in results), abs_tol=0.011)


def test_submitting_the_same_runs_twice_gives_identical_bytes(tiny_runs, tiny_entry, tmp_path):
    again = submit(tiny_runs, root=tmp_path / "again", date=DATE)
    assert again.read_bytes() == tiny_entry.read_bytes()
    for sibling in sorted(tiny_entry.parent.glob("*.json.gz")):
        assert (again.parent / sibling.name).read_bytes() == sibling.read_bytes()


def test_summarize_is_mean_and_student_t_interval():
    s = summarize([1.0, 2.0, 3.0])
    half = 4.302652729749464 / math.sqrt(3)  # t_{0.975, 2} * std / sqrt(n), std = 1
    assert s["n"] == 3 and s["mean"] == 2.0 and math.isclose(s["std"], 1.0)
    assert math.isclose(s["ci95"][0], 2.0 - half, rel_tol=1e-9) and math.isclose(s["ci95"][1], 2.0 + half, rel_tol=1e-9)
    assert summarize([0.5]) == {"n": 1, "mean": 0.5, "std": None, "ci95": None}


def test_refuses_repeated_seeds_and_too_few_seeds(tiny_runs):
    with pytest.raises(LeaderboardError, match=r"seeds must be distinct, but seed\(s\) \[0\]"):
        build_entry([tiny_runs[0], tiny_runs[0], tiny_runs[1]])
    with pytest.raises(LeaderboardError, match=r"at least 3 seeds, got 2 \(seeds \[0, 1\]\)"):
        build_entry(tiny_runs[:2])


def test_refuses_runs_of_different_experiments(tiny_runs, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(tiny_runs[2], other)
    result = json.loads((other / "result.json").read_text())
    result["budget"]["value"] = 128
    (other / "result.json").write_text(json.dumps(result))
    with pytest.raises(LeaderboardError, match=r"runs differ in budget: .* has \('oracle_calls', 64\), .*other has \('oracle_calls', 128\)"):
        build_entry([tiny_runs[0], tiny_runs[1], other])
    result["budget"]["value"] = 64
    result["provenance"]["hash"] = "0" * 16
    (other / "result.json").write_text(json.dumps(result))
    with pytest.raises(LeaderboardError, match="runs differ in provenance hash"):
        build_entry([tiny_runs[0], tiny_runs[1], other])


def test_unfinished_run_is_named(tiny_runs, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(tiny_runs[2], partial)
    (partial / "result.json").unlink()
    with pytest.raises(LeaderboardError, match=rf"{partial / 'result.json'}: no such file"):
        build_entry([tiny_runs[0], tiny_runs[1], partial])


def test_cli_submit_writes_and_will_not_overwrite_other_content(tiny_runs, tmp_path, capsys):
    out = tmp_path / "entry.json"
    assert cli("submit", *map(str, tiny_runs), "--out", str(out), "--date", DATE) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert out.exists() and (tmp_path / "entry.seed0.oracle_calls.json.gz").exists()
    assert cli("submit", *map(str, tiny_runs), "--out", str(out), "--date", "2026-02-02") == 1
    assert "already exists with other content; pass --force" in capsys.readouterr().err
    assert cli("submit", *map(str, tiny_runs), "--out", str(out), "--date", "2026-02-02", "--force") == 0
    assert json.loads(out.read_text())["date"] == "2026-02-02"
    assert cli("submit", str(tiny_runs[0]), "--out", str(tmp_path / "one.json")) == 1
    assert "at least 3 seeds" in capsys.readouterr().err


def test_leaderboard_commands_are_registered():
    parser = build_parser()
    for argv in (["submit", "a", "b", "--out", "x.json"], ["validate"], ["verify", "e.json"], ["render", "--root", "r"]):
        args = parser.parse_args(["leaderboard", *argv])
        assert callable(args.func)
    assert str(parser.parse_args(["leaderboard", "validate"]).path) == "leaderboard/results"


def test_nan_metrics_are_stored_as_null():
    assert dumps({"metrics": {"best_score": float("nan")}}) == '{"metrics": {"best_score": null}}\n'
