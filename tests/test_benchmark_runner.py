"""The benchmark runner runs on a tiny configuration and writes well-formed files."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_runner_writes_results_and_table(tmp_path):
    out_json, out_md = tmp_path / "r.json", tmp_path / "r.md"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick", "--ids", "MolGen-v0", "--async-size", "2", "--json", str(out_json), "--markdown", str(out_md)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    results = json.loads(out_json.read_text())
    env = results["envs"][0]
    assert env["env_id"] == "MolGen-v0" and env["single_steps_per_s"] > 0
    row = env["by_size"]["8"]
    assert row["native"] > 0 and row["sync"] > 0 and row["native_over_sync"] > 0
    assert env["async"]["async"] > 0
    assert results["engine"][0]["token_steps_per_s"] > 0
    assert results["scoring"]["env_over_bare"] > 0 and results["memory"][0]["episodes"] >= 500
    table = out_md.read_text()
    assert "| MolGen-v0 |" in table and "## Molecule scoring" in table
