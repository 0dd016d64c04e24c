"""The AudioGen RL Tuner target script runs end to end on a tiny budget and writes its table."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from genenvs.audio.metrics import RL_TUNER_TABLE

ROOT = Path(__file__).resolve().parents[2]


def test_target_script_writes_the_table_for_prior_agent_and_chorales(tmp_path):
    out = tmp_path / "target.json"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "targets" / "audiogen_rl_tuner.py"), "--budget", "2048", "--samples", "64", "--runs", str(tmp_path / "runs"), "--json", str(out)]
    printed = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    results = json.loads(out.read_text())
    assert set(results["metrics"]) == {"Note RNN (prior)", "ppo", "held-out chorales"}
    prior, agent = results["metrics"]["Note RNN (prior)"], results["metrics"]["ppo"]
    assert prior["num_melodies"] == agent["num_melodies"] == 64
    assert set(results["improved_over_prior"]) == {key for key, _, _ in RL_TUNER_TABLE}
    assert math.isfinite(agent["kl_to_prior"]) and "kl_to_prior" not in prior  # KL is estimated on the agent's own samples
    assert prior["music_theory_return"] == pytest.approx(sum(v for k, v in prior.items() if k.startswith("rule_")))
    assert results["training"]["budget"]["unit"] == "env_steps" and results["training"]["cpu_time_s"] > 0
    assert (tmp_path / "runs" / "AudioGen-v0-ppo-s0" / "checkpoint.pt").exists()
    assert results["table"] in printed and "| notes not in key |" in results["table"]
