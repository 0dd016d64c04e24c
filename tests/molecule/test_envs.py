"""MolGen-v0 and MolSmiles-v0 on real RDKit scores."""

import gymnasium as gym
import numpy as np
import pytest

import genenvs  # noqa: F401
from genenvs.molecule import score
from genenvs.wrappers import OracleBudget
from tests.helpers import play

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"
CELECOXIB = "Cc1ccc(-c2cc(C(F)(F)F)nn2-c2ccc(S(N)(=O)=O)cc2)cc1"


def replay(env, actions, seed=0):
    return play(env, actions, seed=seed)


@pytest.mark.parametrize("env_id", ["MolGen-v0", "MolSmiles-v0"])
@pytest.mark.parametrize("smiles", [ASPIRIN, "c1ccccc1", "CCN(CC)CC"])
def test_replaying_a_molecule_reproduces_it_and_its_exact_score(env_id, smiles):
    env = gym.make(env_id)
    env.reset(seed=0)
    total, info = replay(env, env.unwrapped.encode(smiles))
    expected = score("qed", [smiles])[0]
    assert info["sample"] == info["smiles"]
    assert score("qed", [info["sample"]])[0] == pytest.approx(expected)
    assert info["valid"] and total == pytest.approx(expected) and info["reward_components"] == {"qed": pytest.approx(expected)}


def test_objective_kwarg_selects_guacamol_task():
    env = gym.make("MolGen-v0", objective="celecoxib_rediscovery")
    env.reset(seed=0)
    total, info = replay(env, env.unwrapped.encode(CELECOXIB))
    assert total == pytest.approx(1.0)
    with pytest.raises(ValueError, match="objective"):
        gym.make("MolGen-v0", objective="qedd")


def test_invalid_smiles_scores_zero_and_is_flagged():
    env = gym.make("MolSmiles-v0")
    vocab = env.unwrapped.task.vocab
    env.reset(seed=0)
    actions = list(vocab.ids(list("C1CC"))) + [0]  # unclosed ring
    total, info = replay(env, actions)
    assert info["valid"] is False and total == 0.0


def test_heavy_atom_cap_and_plogp_of_c38_alkane():
    c38, c39 = "C" * 38, "C" * 39
    env = gym.make("MolSmiles-v0", objective="plogp", max_heavy_atoms=None)
    env.reset(seed=0)
    total, info = replay(env, env.unwrapped.encode(c38))
    assert total == pytest.approx(11.19, abs=0.01)
    env = gym.make("MolSmiles-v0", objective="plogp_unnormalized", max_heavy_atoms=None)
    env.reset(seed=0)
    assert replay(env, env.unwrapped.encode(c38))[0] == pytest.approx(13.88, abs=0.01)
    capped = gym.make("MolSmiles-v0", objective="qed", max_heavy_atoms=38)
    capped.reset(seed=0)
    assert replay(capped, capped.unwrapped.encode(c38))[1]["valid"]
    with pytest.raises(ValueError, match="max_length"):
        capped.unwrapped.encode("C" * 80)
    capped.reset(seed=0)
    _, info = replay(capped, capped.unwrapped.encode(c39))
    assert info["valid"] is False and info["score"] == 0.0


def test_sample_granularity_takes_smiles_strings():
    env = gym.make("MolSmiles-v0", granularity="sample", action_type="text")
    env.reset(seed=0)
    _, r, term, _, info = env.step(ASPIRIN)
    assert term and info["sample"] == ASPIRIN and r == pytest.approx(score("qed", [ASPIRIN])[0])
    env.reset(seed=0)
    _, r, _, _, info = env.step("C1CC[")
    assert info["valid"] is False and r == 0.0


def test_render_modes_draw_the_molecule():
    env = gym.make("MolGen-v0", render_mode="rgb_array")
    env.reset(seed=0)
    replay(env, env.unwrapped.encode(ASPIRIN))
    image = env.render()
    assert image.dtype == np.uint8 and image.shape == (300, 300, 3) and image.min() < 100
    env = gym.make("MolGen-v0", render_mode="ansi")
    env.reset(seed=0)
    replay(env, env.unwrapped.encode(ASPIRIN))
    assert ASPIRIN in env.render() and "score=" in env.render()


def test_oracle_budget_counts_a_repeated_molecule_once():
    env = OracleBudget(gym.make("MolGen-v0"), budget=3, log_every=1)
    calls = []
    for smiles in [ASPIRIN, ASPIRIN, "c1ccccc1", ASPIRIN, "CCO"]:
        env.reset(seed=0)
        _, info = replay(env, env.unwrapped.encode(smiles))
        calls.append(info["oracle_calls"])
    assert calls == [1, 1, 2, 2, 3]
    assert info["budget_exhausted"]
    with pytest.raises(genenvs.core.BudgetExhaustedError):
        env.reset(seed=0)
    top = env.tracker.top_means()
    best = max(score("qed", [ASPIRIN, "c1ccccc1", "CCO"]))
    assert top["top1"] == pytest.approx(best)


def test_kl_control_term_uses_the_shipped_prior():
    env = gym.make("MolGen-v0", kl_coef=0.5)
    env.reset(seed=0)
    total, info = replay(env, env.unwrapped.encode(ASPIRIN))
    components = info["reward_components"]
    assert set(components) == {"qed", "kl_prior"} and components["kl_prior"] < 0
    assert total == pytest.approx(sum(components.values()))


def test_score_cache_makes_repeats_a_lookup():
    env = gym.make_vec("MolGen-v0", 2)
    task = env.unwrapped.task
    env.reset(seed=0)
    ids = task.encode(ASPIRIN)
    for t in range(len(ids)):
        env.step(np.array([ids[t], ids[t]]))
    assert task.scorer.misses == 1 and task.scorer.hits == 1
