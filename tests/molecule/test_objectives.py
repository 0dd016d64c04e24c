"""The public objective API: names, batch scoring, invalid samples, scorers, errors."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit.Chem import QED

from genenvs.molecule import guacamol as G
from genenvs.molecule import objectives as O
from genenvs.molecule import properties as P
from genenvs.rewards.base import SampleBatch, Scorer
from genenvs.rewards.compose import WeightedSum

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"
BATCH = [ASPIRIN, "c1ccccc1", "CCCCCCCCCCC", "C" * 38, "CN1CCN(CC1)C(=O)c1ccc(F)cc1", G.CELECOXIB, G.OSIMERTINIB, "[Na+].[Cl-]", "C1CCCCCCCCCCC1"]
INVALID = ["", "C1CC", "not a smiles", "c1cccc1"]
PARAMS = {
    "similarity": {"target_smiles": G.ALBUTEROL, "fingerprint": "FCFP4", "threshold": 0.75},
    "isomers": {"formula": "C11H24"},
    "constrained_plogp": {"start_smiles": ASPIRIN, "delta": 0.4},
}


def test_list_objectives_covers_properties_guacamol_and_parametrised():
    names = O.list_objectives()
    assert len(names) == len(set(names))
    assert {"qed", "sa", "logp", "plogp", "plogp_unnormalized"} <= set(names)
    assert set(G.TASKS) <= set(names)
    assert set(PARAMS) <= set(names)


@pytest.mark.parametrize("name", O.list_objectives())
def test_every_objective_scores_a_batch_with_finite_values_in_range(name):
    objective = O.get_objective(name, **PARAMS.get(name, {}))
    assert isinstance(objective, O.Objective) and objective.name == name
    assert objective.description and objective.reference
    scores = O.score(name, BATCH, **PARAMS.get(name, {}))
    assert scores.dtype == np.float64 and scores.shape == (len(BATCH),)
    assert np.all(np.isfinite(scores))
    low, high = objective.value_range
    if name == "constrained_plogp":  # failures score failure_score, outside the improvement range
        scores = scores[scores != -100.0]
    assert np.all((scores >= low) & (scores <= high))


@pytest.mark.parametrize("name", O.list_objectives())
def test_invalid_smiles_get_the_invalid_score(name):
    objective = O.get_objective(name, **PARAMS.get(name, {}))
    scorer = O.make_scorer(name, **PARAMS.get(name, {}))
    result = scorer(SampleBatch(samples=INVALID + [ASPIRIN]))
    assert result.scores[:-1].tolist() == [objective.invalid_score] * len(INVALID)
    assert result.valid.tolist() == [False] * len(INVALID) + [True]
    assert objective.invalid_score in (0.0, 10.0, -100.0)


def test_documented_invalid_scores():
    expected = {"qed": 0.0, "sa": 10.0, "logp": -100.0, "plogp": -100.0, "plogp_unnormalized": -100.0, "osimertinib_mpo": 0.0, "celecoxib_rediscovery": 0.0}
    assert {name: O.get_objective(name).invalid_score for name in expected} == expected
    assert O.get_objective("sa").higher_is_better is False


def test_scores_are_the_property_values_in_order():
    smiles = [ASPIRIN, "C" * 38, ASPIRIN]
    mols = [P.mol_from_smiles(s) for s in smiles]
    np.testing.assert_array_equal(O.score("qed", smiles), [QED.qed(m) for m in mols])
    np.testing.assert_allclose(O.score("plogp", smiles), [P.plogp(m) for m in mols])
    assert O.score("plogp", ["C" * 38])[0] == pytest.approx(11.194, abs=1e-3)
    assert O.score("plogp_unnormalized", ["C" * 38])[0] == pytest.approx(13.877, abs=1e-3)


def test_rediscovery_and_isomer_objectives():
    assert O.score("celecoxib_rediscovery", [G.CELECOXIB, ASPIRIN]).tolist()[0] == 1.0
    scores = O.score("isomers_c11h24", ["CCCCCCCCCCC", "CCCCCCCCCC"])
    assert scores[0] == 1.0 and scores[1] < 1.0
    assert O.score("isomers", ["CC(C)CCCCCCCC"], formula="C11H24")[0] == 1.0


def test_scorer_respects_batch_validity_and_names_components():
    scorer = O.make_scorer("osimertinib_mpo")
    assert isinstance(scorer, Scorer) and scorer.name == "osimertinib_mpo"
    batch = SampleBatch(samples=[ASPIRIN, G.OSIMERTINIB, "C1CC", ASPIRIN], valid=np.array([False, True, True, True]))
    result = scorer(batch)
    assert result.valid.tolist() == [False, True, False, True]
    assert result.scores[0] == 0.0 and result.scores[2] == 0.0
    assert result.scores[3] == pytest.approx(O.score("osimertinib_mpo", [ASPIRIN])[0])
    assert set(result.components) == {f"osimertinib_mpo/{t}" for t in ("osimertinib_fcfp4", "osimertinib_ecfp6", "tpsa", "logp")}
    assert result.components["osimertinib_mpo/osimertinib_fcfp4"][1] == 1.0
    single = O.make_scorer("qed")(SampleBatch(samples=[ASPIRIN]))
    assert list(single.components) == ["qed"]


def test_scorer_identity_records_parameters():
    a = O.make_scorer("constrained_plogp", start_smiles=ASPIRIN, delta=0.4)
    b = O.make_scorer("constrained_plogp", start_smiles=ASPIRIN, delta=0.6)
    assert a.identity()["params"] == {"objective": "constrained_plogp", "start_smiles": ASPIRIN, "delta": 0.4, "normalized": True, "failure_score": -100.0}
    assert a.identity() != b.identity()
    assert O.make_scorer("qed").identity() == {"name": "qed", "version": "1", "params": {"objective": "qed"}}


def test_objective_scorers_compose():
    reward = WeightedSum([(O.make_scorer("qed"), 1.0), (O.make_scorer("sa"), -0.1)])
    result = reward(SampleBatch(samples=[ASPIRIN, "C1CC"]))
    mol = P.mol_from_smiles(ASPIRIN)
    assert result.scores[0] == pytest.approx(P.qed(mol) - 0.1 * P.sa(mol))
    assert result.valid.tolist() == [True, False]


def test_unknown_objective_raises_a_helpful_value_error():
    with pytest.raises(ValueError, match=r"unknown molecule objective 'qde'; did you mean 'qed'\?.*available: qed, sa"):
        O.get_objective("qde")
    with pytest.raises(O.UnknownObjectiveError, match="osimertinib_mpo"):
        O.score("osimertinib", [ASPIRIN])


def test_bad_parameters_raise_value_errors():
    with pytest.raises(ValueError, match="'qed' takes no parameters"):
        O.make_scorer("qed", delta=0.4)
    with pytest.raises(ValueError, match=r"takes parameters \(start_smiles, delta=0.4"):
        O.make_scorer("constrained_plogp")
    with pytest.raises(ValueError, match="not a valid SMILES"):
        O.make_scorer("similarity", target_smiles="C1CC")
    with pytest.raises(ValueError, match="unknown fingerprint"):
        O.make_scorer("similarity", target_smiles="CCO", fingerprint="MACCS")
    with pytest.raises(TypeError, match="list of SMILES"):
        O.score("qed", ASPIRIN)


@pytest.mark.parametrize("name", ["qed", "deco_hop", "constrained_plogp"])
def test_component_names_do_not_depend_on_the_batch(name):
    scorer = O.make_scorer(name, **PARAMS.get(name, {}))
    empty, invalid, valid = (scorer(SampleBatch(samples=s)) for s in ([], ["C1CC"], [ASPIRIN]))
    assert empty.scores.shape == (0,)
    assert set(empty.components) == set(invalid.components) == set(valid.components)
