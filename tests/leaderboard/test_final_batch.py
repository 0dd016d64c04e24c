"""Final batches: real runs of a conditional token env (TextGen-v0, scored against prompts)
and a non-token env (SynthMatch-v0, synthesiser parameters against a hidden target) are
submitted, and ``verify`` scores their stored final batches again with the contexts."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from genenvs.leaderboard.entry import aggregate_metrics, final_batch_metrics, gzip_json_bytes, read_sibling
from genenvs.leaderboard.submit import submit
from genenvs.leaderboard.validate import validate_file
from genenvs.leaderboard.verify import OK, verify_entry
from tests.leaderboard.conftest import DATE, cli, edit, make_runs

ENVS = ("TextGen-v0", "SynthMatch-v0")
BATCH = 64


@pytest.fixture(scope="module")
def entries(tmp_path_factory):
    base = tmp_path_factory.mktemp("final_batch")
    return {env_id: submit(make_runs(base, env_id, BATCH), root=base / "lb", date=DATE) for env_id in ENVS}


@pytest.fixture
def copy_of(entries, tmp_path):
    """A fresh copy (entry + sibling files) of one env's entry, for a test to edit."""

    def copy(env_id: str):
        dest = tmp_path / "results" / env_id
        shutil.copytree(entries[env_id].parent, dest)
        return dest / entries[env_id].name

    return copy


def _final_batch(path, seed_index: int) -> list[dict]:
    run = json.loads(path.read_text())["runs"][seed_index]
    return read_sibling(path, run["final_batch"], f"runs[{seed_index}].final_batch")


def _store_final_batch(path, seed_index: int, items: list[dict], *, restate_metrics: bool) -> None:
    """Write a changed final batch with a valid checksum; optionally restate the metrics to match it (a careful forger)."""
    blob = gzip_json_bytes(items)

    def change(entry):
        run = entry["runs"][seed_index]
        (path.parent / run["final_batch"]["file"]).write_bytes(blob)
        run["final_batch"]["sha256"] = hashlib.sha256(blob).hexdigest()
        if restate_metrics:
            run["metrics"].update(final_batch_metrics([i["score"] for i in items], [i["valid"] for i in items]))
            entry["aggregate"] = aggregate_metrics(entry["runs"])

    edit(path, change)


@pytest.mark.parametrize("env_id", ENVS)
def test_real_run_verifies_by_scoring_its_final_batch_again(env_id, entries, capsys):
    path = entries[env_id]
    entry = json.loads(path.read_text())
    assert entry["main_metric"] == {"name": "mean_score_last", "higher_is_better": True}
    items = _final_batch(path, 0)
    assert len(items) == BATCH and entry["runs"][0]["final_batch"]["file"] == f"{path.stem}.seed0.final_batch.json.gz"
    if env_id == "TextGen-v0":  # the prompt each continuation was scored against is stored with it, by index
        assert set(items[0]["record"]["context"]) == {"prompt_index"}

    assert cli("verify", str(path)) == 0
    out = capsys.readouterr().out
    assert "=> PASSED" in out and f"ok        seed 0 final batch ({BATCH} samples scored again with their contexts, all match)" in out
    result = verify_entry(path)
    by_subject = {c.subject: c for c in result.checks}
    for run in entry["runs"]:
        check = by_subject[f"seed {run['seed']} mean_score_last"]
        assert check.status == OK and check.claimed == pytest.approx(check.recomputed, rel=1e-6)  # float32 spectrograms
    assert by_subject["aggregate mean_score_last ci95"].status == OK
    assert "mean_score_last" not in {c.metric for c in result.not_rescorable}


@pytest.mark.parametrize("env_id", ENVS)
def test_a_changed_stored_score_fails_with_claimed_and_recomputed(env_id, copy_of, capsys):
    path = copy_of(env_id)
    items = _final_batch(path, 1)
    true_scores = [i["score"] for i in items]
    items[5]["score"] += 0.5
    _store_final_batch(path, 1, items, restate_metrics=True)
    assert validate_file(path) == []  # checksums, metrics and aggregates all agree: only scoring again tells
    assert cli("verify", str(path)) == 1
    out = capsys.readouterr().out
    assert f"MISMATCH  seed 1 final batch: claimed {items[5]['score']:.10g}, recomputed " in out
    assert f"(1 of {BATCH} samples differ in score or validity; first item 5)" in out
    claimed = final_batch_metrics([i["score"] for i in items], [True])["mean_score_last"]
    assert f"MISMATCH  seed 1 mean_score_last: claimed {claimed:.10g}, recomputed " in out and "0 of 1 entries verified" in out
    mismatches = {c.subject: c for c in verify_entry(path).mismatches}
    assert set(mismatches) == {"seed 1 final batch", "seed 1 mean_score_last", "aggregate mean_score_last mean", "aggregate mean_score_last ci95"}
    assert mismatches["seed 1 final batch"].recomputed == pytest.approx(true_scores[5], rel=1e-6)
    assert mismatches["seed 1 mean_score_last"].recomputed == pytest.approx(final_batch_metrics(true_scores, [True])["mean_score_last"], rel=1e-6)


@pytest.mark.parametrize("env_id", ENVS)
def test_a_changed_main_metric_fails_validate_and_verify(env_id, copy_of, capsys):
    path = copy_of(env_id)
    true = json.loads(path.read_text())["runs"][2]["metrics"]["mean_score_last"]

    def inflate(entry):
        entry["runs"][2]["metrics"]["mean_score_last"] = true + 0.1
        entry["aggregate"] = aggregate_metrics(entry["runs"])

    edit(path, inflate)
    assert validate_file(path) == [f"{path}: field 'runs[2].metrics.mean_score_last': claimed {true + 0.1:.10g}, but the stored final batch gives {true:.10g}"]
    assert cli("verify", str(path)) == 1
    assert f"MISMATCH  seed 2 mean_score_last: claimed {true + 0.1:.10g}, recomputed " in capsys.readouterr().out
    [check] = [c for c in verify_entry(path).mismatches if c.subject == "seed 2 mean_score_last"]
    assert check.recomputed == pytest.approx(true, rel=1e-6)


def test_a_record_the_env_could_not_have_written_fails(copy_of):
    path = copy_of("SynthMatch-v0")
    items = _final_batch(path, 0)
    items[0]["record"]["params"] = items[0]["record"]["params"][:3]
    _store_final_batch(path, 0, items, restate_metrics=False)
    [check] = verify_entry(path).mismatches
    assert check.subject == "seed 0 final batch" and check.note.startswith("the stored records cannot be scored: ValueError: ")
