"""`genenvs leaderboard validate`: schema, parse errors, checksums and consistency, each named."""

from __future__ import annotations

import json

from genenvs.core.provenance import provenance_hash
from genenvs.leaderboard.entry import gzip_json_bytes
from genenvs.leaderboard.validate import validate_file, validate_path
from tests.leaderboard.conftest import SHIPPED, cli, edit


def test_shipped_entries_are_valid(capsys):
    results = validate_path(SHIPPED)
    names = {p.name for p in results}
    assert {"random_1000_840238e8.json", "prior_1000_840238e8.json", "reinvent_1000_840238e8.json"} <= names
    assert {p: problems for p, problems in results.items() if problems} == {}
    assert cli("validate", str(SHIPPED)) == 0
    assert f"{len(results)} of {len(results)} entries valid" in capsys.readouterr().out


def test_missing_field_names_the_field_and_the_file(tiny_entry, capsys):
    edit(tiny_entry, lambda e: e["runs"][0].pop("seed"))
    assert cli("validate", str(tiny_entry)) == 1
    err = capsys.readouterr().err
    assert f"{tiny_entry}: field 'runs[0].seed': missing (required)" in err.splitlines()


def test_wrong_type_names_the_field_and_the_file(tiny_entry):
    edit(tiny_entry, lambda e: e["budget"].update(value="64"))
    assert validate_file(tiny_entry) == [f"{tiny_entry}: field 'budget.value': '64' is not of type 'integer'"]


def test_oracle_budget_entries_need_pmo_metrics_and_call_order(tiny_entry):
    def strip(entry):
        entry["runs"][2]["metrics"].pop("auc_top10")
        entry["runs"][0].pop("oracle_call_order")

    edit(tiny_entry, strip)
    assert validate_file(tiny_entry) == [
        f"{tiny_entry}: field 'runs[0].oracle_call_order': missing (required; oracle-budget runs store their oracle calls in order and report PMO's metrics)",
        f"{tiny_entry}: field 'runs[2].metrics.auc_top10': missing (required)",
    ]


def test_baseline_entries_need_three_seeds(tiny_entry):
    def drop_seed(entry):
        entry["runs"].pop()
        entry["seeds"].pop()

    edit(tiny_entry, drop_seed)
    problems = validate_file(tiny_entry)
    assert problems == [
        f"{tiny_entry}: field 'runs': a list of 2 item(s) is too short (baseline entries need at least 3 seeds)",
        f"{tiny_entry}: field 'seeds': [0, 1] is too short (baseline entries need at least 3 seeds)",
    ]


def test_truncated_json_gives_file_and_position(tiny_entry, capsys):
    text = tiny_entry.read_text()
    tiny_entry.write_text(text[: len(text) // 2])
    try:
        json.loads(text[: len(text) // 2])
    except json.JSONDecodeError as exc:
        expected = f"{tiny_entry}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} (char {exc.pos} of {len(text) // 2})"
    assert validate_file(tiny_entry) == [expected]
    assert cli("validate", str(tiny_entry.parent)) == 1
    assert expected in capsys.readouterr().err


def test_sibling_file_checksum_and_presence(tiny_entry):
    entry = json.loads(tiny_entry.read_text())
    sibling = tiny_entry.parent / entry["runs"][1]["oracle_call_order"]["file"]
    sibling.write_bytes(gzip_json_bytes(["CCO"]))
    [problem] = validate_file(tiny_entry)
    assert problem.startswith(f"{tiny_entry}: field 'runs[1].oracle_call_order.sha256': {sibling.name} has sha256 ")
    sibling.unlink()
    assert validate_file(tiny_entry) == [f"{tiny_entry}: field 'runs[1].oracle_call_order': sibling file {sibling} is missing"]


def test_aggregate_must_match_per_seed_values(tiny_entry):
    entry = edit(tiny_entry, lambda e: e["aggregate"]["top10"].update(mean=e["aggregate"]["top10"]["mean"] + 0.1))
    true_mean = sum(r["metrics"]["top10"] for r in entry["runs"]) / 3
    problems = validate_file(tiny_entry)
    assert problems == [f"{tiny_entry}: field 'aggregate.top10.mean': claimed {entry['aggregate']['top10']['mean']:.10g}, recomputed from the per-seed metrics {true_mean:.10g}"]


def test_edited_provenance_record_no_longer_matches_its_hash(tiny_entry):
    entry = edit(tiny_entry, lambda e: e["provenance"]["task"]["params"].update(objective="plogp"))
    [problem] = validate_file(tiny_entry)
    assert problem == f"{tiny_entry}: field 'provenance.hash': {entry['provenance']['hash']} is not the hash of the stored record ({provenance_hash(entry['provenance'])}); the record was edited"


def test_entry_in_the_wrong_environment_folder(tiny_entry):
    moved = tiny_entry.parent.parent / "MolSmiles-v0" / tiny_entry.name
    moved.parent.mkdir()
    for f in tiny_entry.parent.iterdir():
        f.rename(moved.parent / f.name)
    assert validate_file(moved) == [f"{moved}: field 'env_id': 'MolGen-v0' but the file is in the folder of 'MolSmiles-v0'"]


def test_missing_path_is_an_error(tmp_path, capsys):
    assert cli("validate", str(tmp_path / "nowhere")) == 1
    assert f"{tmp_path / 'nowhere'}: no such file or folder" in capsys.readouterr().err
