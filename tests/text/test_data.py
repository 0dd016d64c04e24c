"""The shipped data and models are the ones the manifest records, within the size limits."""

import hashlib
import json

import pytest

from genenvs.text.vocab import DATA

MANIFEST = json.loads((DATA / "manifest.json").read_text())


@pytest.mark.parametrize("name", sorted(MANIFEST["files"]))
def test_shipped_files_match_their_recorded_checksums(name):
    assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == MANIFEST["files"][name]["sha256"]


def test_models_stay_small_and_record_their_provenance():
    assert (DATA / "reference_lm.pt").stat().st_size < 10 * 2**20
    for model in ("preference_model.pt", "oracle.pt"):
        assert (DATA / model).stat().st_size < 5 * 2**20
    assert MANIFEST["licence"].startswith("PSF") and MANIFEST["python"]
    assert MANIFEST["reference_lm"]["test"]["perplexity"] < 40
