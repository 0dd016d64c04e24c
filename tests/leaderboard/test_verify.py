"""`genenvs leaderboard verify`: re-scoring with the installed environment, refusals, honesty."""

from __future__ import annotations

import json

import pytest

from genenvs.core.provenance import provenance_hash
from genenvs.leaderboard.submit import submit
from genenvs.leaderboard.verify import MISMATCH, NOT_RESCORABLE, OK, verify_entry
from tests.leaderboard import toy_envs
from tests.leaderboard.conftest import DATE, SHIPPED, cli, edit, make_runs


@pytest.mark.parametrize("entry", sorted(SHIPPED.rglob("*.json")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shipped_entry_verifies(entry, capsys):
    assert cli("verify", str(entry)) == 0
    out = capsys.readouterr().out
    assert "=> PASSED" in out and "1 of 1 entries verified" in out
    assert MISMATCH not in out and "REFUSED" not in out


def test_tiny_entry_rescored_check_by_check(tiny_entry):
    result = verify_entry(tiny_entry)
    assert result.passed, result.report(verbose=True)
    by_subject = {c.subject: c for c in result.checks}
    for seed in (0, 1, 2):
        assert by_subject[f"seed {seed} sample scores"].status == OK
        for metric in ("oracle_calls", "top1", "top10", "top100", "auc_top10"):
            check = by_subject[f"seed {seed} {metric}"]
            assert check.status == OK and check.claimed == pytest.approx(check.recomputed, rel=1e-9)
        for metric in ("mean_score_last", "validity_last"):  # batch statistics: honestly not re-scorable
            assert by_subject[f"seed {seed} {metric}"].status == NOT_RESCORABLE
    assert by_subject["aggregate auc_top10 mean"].status == OK
    assert "not re-scorable: mean_score_last, validity_last of 6 run value(s)" in result.report()


def test_one_changed_metric_fails_with_claimed_and_recomputed(tiny_entry, capsys):
    true = json.loads(tiny_entry.read_text())["runs"][1]["metrics"]["top10"]
    edit(tiny_entry, lambda e: e["runs"][1]["metrics"].update(top10=true + 0.05))
    assert cli("verify", str(tiny_entry)) == 1
    out = capsys.readouterr().out
    assert f"MISMATCH  seed 1 top10: claimed {true + 0.05:.10g}, recomputed {true:.10g}" in out
    assert "FAILED" in out and "0 of 1 entries verified" in out


def test_changed_sample_score_is_caught(tiny_entry):
    entry = edit(tiny_entry, lambda e: e["runs"][0]["samples"][3].update(score=0.99))
    sample = entry["runs"][0]["samples"][3]["sample"]
    result = verify_entry(tiny_entry)
    [check] = result.mismatches
    assert check.subject == "seed 0 sample scores" and check.claimed == 0.99 and 0 < check.recomputed < 0.99
    assert check.note == f"1 of {len(entry['runs'][0]['samples'])} samples differ; first {sample!r}"


def test_forged_oracle_calls_change_the_recomputed_auc(tiny_entry):
    """Swapping in better molecules changes the re-scored AUC; checksums are updated, so only re-scoring can tell."""
    import hashlib

    from genenvs.leaderboard.entry import gzip_json_bytes, read_sibling

    entry = json.loads(tiny_entry.read_text())
    ref = entry["runs"][0]["oracle_call_order"]
    calls = read_sibling(tiny_entry, ref, "runs[0].oracle_call_order")
    forged = gzip_json_bytes(["CC(=O)Oc1ccccc1C(=O)O", *calls[1:]])  # aspirin first
    (tiny_entry.parent / ref["file"]).write_bytes(forged)
    edit(tiny_entry, lambda e: e["runs"][0]["oracle_call_order"].update(sha256=hashlib.sha256(forged).hexdigest()))
    result = verify_entry(tiny_entry)
    assert not result.passed
    assert "seed 0 auc_top10" in {c.subject for c in result.mismatches}


def test_provenance_mismatch_is_refused_naming_the_change(tiny_entry, capsys):
    def older_scorer(entry):
        entry["provenance"]["task"]["scorer"]["version"] = "0"
        entry["provenance"]["hash"] = provenance_hash(entry["provenance"])

    entry = edit(tiny_entry, older_scorer)
    assert cli("verify", str(tiny_entry)) == 1
    out = capsys.readouterr().out
    assert f"REFUSED: provenance hash {entry['provenance']['hash']} of the entry does not match the installed MolGen-v0" in out
    assert "task.scorer.version: '0' -> '1'" in out
    assert "claimed" not in out  # nothing was re-scored


def test_invalid_file_is_refused_not_rescored(tiny_entry):
    tiny_entry.write_text(tiny_entry.read_text()[:200])
    result = verify_entry(tiny_entry)
    assert not result.passed and result.refused.startswith("the file does not validate:") and "not valid JSON" in result.refused


@pytest.fixture(scope="module")
def toy_entries(tmp_path_factory):
    toy_envs.register()
    base = tmp_path_factory.mktemp("toy")
    return {
        env_id: submit(make_runs(base, env_id, budget=64), root=base / "lb", date=DATE)
        for env_id in (toy_envs.TOY, toy_envs.PLAIN_TOY)
    }


def test_unconditional_task_rescored_through_encode_and_decode(toy_entries):
    result = verify_entry(toy_entries[toy_envs.PLAIN_TOY])
    assert result.passed, result.report(verbose=True)
    by_subject = {c.subject: c for c in result.checks}
    assert by_subject["seed 0 sample scores"].status == OK
    assert by_subject["seed 2 best_score"].status == OK and by_subject["seed 2 best_score"].recomputed > 0


def test_conditional_task_is_reported_not_rescorable_and_fails_strict(toy_entries, capsys):
    entry = toy_entries[toy_envs.TOY]
    result = verify_entry(entry)
    assert result.passed and not [c for c in result.checks if c.status == OK and c.subject.startswith("seed")]
    assert {c.metric for c in result.not_rescorable} >= {"mean_score_last", "best_score"}
    assert "GenenvsToy-v0 is conditional" in result.report()
    assert cli("verify", str(entry)) == 0
    assert cli("verify", "--strict", str(entry)) == 1
    capsys.readouterr()
