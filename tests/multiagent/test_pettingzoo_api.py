"""PettingZoo's own conformance tests on every game, in its default and alternative settings."""

from __future__ import annotations

import warnings

import pytest
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, seed_test

from genenvs.multiagent import adversarial_v0, negotiation_v0, referential_v0

CONFIGS = [
    pytest.param(adversarial_v0, {}, id="adversarial-selfies"),
    pytest.param(adversarial_v0, {"domain": "molecule_smiles", "n_generated": 2, "n_real": 3, "max_length": 40}, id="adversarial-smiles"),
    pytest.param(referential_v0, {}, id="referential-digits"),
    pytest.param(referential_v0, {"referents": "molecules", "n_candidates": 5, "max_message_length": 4, "length_cost": 0.1}, id="referential-molecules"),
    pytest.param(negotiation_v0, {}, id="negotiation-proposals"),
    pytest.param(negotiation_v0, {"protocol": "tokens", "max_turns": 6}, id="negotiation-tokens"),
]


@pytest.fixture(autouse=True)
def _quiet():
    # The API test warns about choices these games make on purpose (dict observations with
    # extra keys, role names such as "generator" instead of "player_0").
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


@pytest.mark.parametrize(("module", "kwargs"), CONFIGS)
def test_aec_api(module, kwargs):
    api_test(module.env(render_mode="ansi", **kwargs), num_cycles=500)


@pytest.mark.parametrize(("module", "kwargs"), CONFIGS)
def test_parallel_api(module, kwargs):
    parallel_api_test(module.parallel_env(**kwargs), num_cycles=500)


@pytest.mark.parametrize(("module", "kwargs"), CONFIGS)
def test_seeded_aec_games_repeat(module, kwargs):
    seed_test(lambda: module.env(**kwargs), num_cycles=500)


@pytest.mark.parametrize(("module", "kwargs"), CONFIGS)
def test_seeded_parallel_games_repeat(module, kwargs):
    parallel_seed_test(lambda: module.parallel_env(**kwargs), num_cycles=500)


@pytest.mark.parametrize(("module", "kwargs"), CONFIGS)
def test_raw_env_matches_wrapped_names(module, kwargs):
    raw = module.raw_env(**kwargs)
    assert module.env(**kwargs).unwrapped.metadata["name"] == raw.metadata["name"] == module.__name__.rsplit(".", 1)[1]
    assert module.parallel_env(**kwargs).possible_agents == raw.possible_agents
