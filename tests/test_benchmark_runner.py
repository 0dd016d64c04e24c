"""The benchmark runner runs on a tiny configuration and writes well-formed files."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_runner_writes_results_and_table(tmp_path):
    out_json, out_md = tmp_path / "r.json", tmp_path / "r.md"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick", "--ids", "MolGen-v0", "--json", str(out_json), "--markdown", str(out_md)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    results = json.loads(out_json.read_text())
    env = results["envs"][0]
    assert env["env_id"] == "MolGen-v0" and env["single_steps_per_s"] > 0
    row = env["by_size"]["8"]
    assert row["native"] > 0 and row["sync"] > 0 and row["async"] > 0 and row["native_over_sync"] > 0
    assert row["domain_us_per_step"] > 0 and row["native_over_sync_bound"] > 0  # the bound of a free engine
    assert env["async_worker_private_mb"] > 0 and row["async_workers_private_mb"] > 0
    engine = results["engine"][0]["token_steps_per_s"]
    assert list(engine) == ["engine", "decode", "contexts", "step_scorers"] and min(engine.values()) > 0
    assert results["scoring"]["env_over_bare"] > 0 and results["memory"][0]["episodes"] >= 500
    assert results["machine"]["omp_num_threads"] == "1" and "numpy" in results["machine"]["versions"]
    table = out_md.read_text()
    assert "| MolGen-v0 |" in table and "async 8" in table and "## Molecule scoring" in table and "## What bounds native/sync at 8 envs" in table
    out_md.unlink()
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--render-only", "--json", str(out_json), "--markdown", str(out_md)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    assert out_md.read_text() == table  # the page again from the results file, nothing measured


def test_async_sizes_over_the_memory_budget_are_skipped_with_the_reason():
    from genenvs.benchmark import bench_env

    result = bench_env("MolSmiles-v0", sizes=(4,), steps=5, repeats=1, async_memory_budget_mb=1.0)
    row = result["by_size"]["4"]
    assert "async" not in row and "private memory" in row["async_skipped"] and result["async_worker_private_mb"] > 0
