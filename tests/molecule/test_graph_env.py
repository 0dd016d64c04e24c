"""MolGraph-v0: MolDQN's molecule-editing MDP, on real RDKit edits and real objectives."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from rdkit import Chem, DataStructs
from rdkit.Chem import AllChem

from genenvs.core.errors import EpisodeOverError, InvalidActionError
from genenvs.molecule import score
from genenvs.molecule.graph_actions import EditRules, valid_edits
from genenvs.molecule.graph_env import MolGraphEnv

ENV_ID = "MolGraph-v0"
if ENV_ID not in gym.registry:  # the lead registers it in genenvs/molecule/registry.py
    gym.register(id=ENV_ID, entry_point="genenvs.molecule.graph_env:MolGraphEnv")

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"


def smiles_of(smiles, **rules):
    return [e.smiles for e in valid_edits(smiles, EditRules(**rules))]


def random_episode(env, rng, seed=None):
    """Steps of one episode under a uniformly random valid policy: (obs, action, reward, info)."""
    obs, info = env.reset(seed=seed)
    steps, done = [], False
    while not done:
        action = int(rng.choice(np.flatnonzero(info["action_mask"])))
        next_obs, reward, terminated, truncated, info = env.step(action)
        steps.append((obs, action, reward, info))
        obs, done = next_obs, terminated or truncated
    return steps, obs


# ------------------------------------------------------------------ the edit set


def test_empty_molecule_offers_the_lone_atoms_and_no_noop():
    assert smiles_of("") == ["C", "O", "N"]


def test_methane_candidates_are_exactly_moldqns():
    # CH4 has four hydrogens, so single, double and triple bonds to C, O, N are all valid
    # (O cannot take a triple bond); the first action is the no-op.
    assert smiles_of("C") == ["C", "CC", "CO", "CN", "C=C", "C=O", "C=N", "C#C", "C#N"]


def test_aromatic_bonds_are_never_edited():
    assert smiles_of("c1ccccc1") == ["c1ccccc1", "Cc1ccccc1", "Oc1ccccc1", "Nc1ccccc1"]


def test_new_bonds_close_only_allowed_ring_sizes():
    assert "C1CCCC1" in smiles_of("CCCCC") and "C1CCCCC1" in smiles_of("CCCCCC")
    assert "C1CCC1" not in smiles_of("CCCC") and "C1CCCCCC1" not in smiles_of("CCCCCCC")
    assert "C1CCC1" in smiles_of("CCCC", allowed_ring_sizes=None)


def test_no_new_bonds_between_ring_atoms_unless_allowed():
    mol = "C1CCC(C1)CCC1CCCC1"  # two rings whose atoms a 5-ring could join
    ring_atoms = {a.GetIdx() for a in Chem.MolFromSmiles(mol).GetAtoms() if a.IsInRing()}

    def ring_to_ring(**rules):
        return [e for e in valid_edits(mol, EditRules(**rules)) if e.kind == "add_bond" and set(e.atoms) <= ring_atoms and e.bond_order == 1]

    assert ring_to_ring() == []
    assert ring_to_ring(allow_bonds_between_rings=True)


def test_bond_removal_lowers_orders_and_drops_only_single_atoms():
    assert {"CC=N", "CCN", "CC"} <= set(smiles_of("CC#N"))  # lowered by one or two; N dropped
    butane = set(smiles_of("CCCC"))
    assert "CCC" in butane and "CC" not in butane  # a terminal C may go; splitting C-C|C-C may not
    assert "CCCCCC" in smiles_of("C1CCCCC1")  # opening a ring keeps one piece
    assert all(e.kind != "remove_bond" for e in valid_edits("C1CCCCC1", EditRules(allow_removal=False)))


def test_heavy_atom_cap_stops_atom_additions():
    c38 = "C" * 38
    edits = valid_edits(c38, EditRules(max_heavy_atoms=38))
    assert edits and not [e for e in edits if e.kind == "add_atom"]
    assert max(Chem.MolFromSmiles(e.smiles).GetNumHeavyAtoms() for e in edits) == 38
    with pytest.raises(ValueError, match="max_heavy_atoms"):
        MolGraphEnv(start_smiles="C" * 39)


def test_edit_rules_reject_bad_options():
    with pytest.raises(ValueError, match="unknown element"):
        EditRules(atom_types=("C", "Xx"))
    with pytest.raises(ValueError, match="allowed_ring_sizes"):
        EditRules(allowed_ring_sizes=(2,))
    with pytest.raises(ValueError, match="not a valid molecule"):
        valid_edits("C1CC")


# ------------------------------------------------------------------ the environment


def test_check_env_passes_with_all_render_modes():
    check_env(gym.make(ENV_ID, disable_env_checker=True).unwrapped)
    check_env(MolGraphEnv(fingerprint_bits=256, max_actions=64, observe_candidates=False), skip_render_check=True)


def test_random_episodes_stay_valid_capped_and_consistent():
    """Fuzz: every valid action of every molecule visited sanitises and respects the cap."""
    rng = np.random.default_rng(0)
    for start in (None, "CC(=O)OC1CCCC1"):
        env = MolGraphEnv(start_smiles=start, max_heavy_atoms=12, max_steps=25)
        obs, info = env.reset(seed=1)
        for _ in range(25):
            k = int(obs["action_mask"].sum())
            assert k == info["num_valid_actions"] == len(env.candidates) and np.array_equal(info["action_mask"], obs["action_mask"] == 1)
            assert obs["candidates"][:k].any(axis=1).all() and not obs["candidates"][k:].any()
            for edit in env.candidates:
                mol = Chem.MolFromSmiles(edit.smiles)
                assert mol is not None and Chem.MolToSmiles(mol) == edit.smiles and mol.GetNumHeavyAtoms() <= 12
            action = int(rng.choice(k))
            next_obs, _, _, _, info = env.step(action)
            # the fingerprint of the molecule reached is the candidate row that was chosen
            assert np.array_equal(next_obs["fingerprint"], obs["candidates"][action])
            assert info["sample"] == env.smiles == env.candidates[0].smiles  # index 0: its no-op
            obs = next_obs


def test_fingerprint_is_moldqns_morgan_radius_3_2048_bits():
    env = MolGraphEnv(start_smiles=ASPIRIN)
    obs, _ = env.reset(seed=0)
    reference = np.zeros(2048)
    DataStructs.ConvertToNumpyArray(AllChem.GetMorganFingerprintAsBitVect(Chem.MolFromSmiles(ASPIRIN), 3, 2048), reference)
    assert np.array_equal(obs["fingerprint"], reference.astype(np.uint8)) and obs["fingerprint"].sum() > 20
    assert obs["steps_left"][0] == 40.0


def test_seeded_episodes_are_deterministic():
    def run():
        steps, _ = random_episode(MolGraphEnv(max_steps=15), np.random.default_rng(3), seed=5)
        return [(a, r, info["sample"]) for _, a, r, info in steps], steps[-1][0]

    (trace_a, obs_a), (trace_b, obs_b) = run(), run()
    assert trace_a == trace_b
    assert all(np.array_equal(obs_a[k], obs_b[k]) for k in obs_a)


def test_noop_keeps_the_molecule():
    env = MolGraphEnv(start_smiles=ASPIRIN)
    env.reset(seed=0)
    assert env.candidates[0].kind == "no_op"
    _, reward, _, _, info = env.step(0)
    assert info["sample"] == Chem.MolToSmiles(Chem.MolFromSmiles(ASPIRIN)) and info["edit"] == "no_op"
    assert reward == pytest.approx(score("qed", [ASPIRIN])[0] * 0.9**39)
    assert env.cache_hits == 1  # the same molecule's candidates came from the cache


def test_rewards_are_discounted_scores_and_the_last_is_the_final_objective():
    env = MolGraphEnv()
    steps, _ = random_episode(env, np.random.default_rng(4), seed=0)
    assert len(steps) == 40
    for t, (_, _, reward, info) in enumerate(steps, start=1):
        qed = score("qed", [info["sample"]])[0]
        assert info["score"] == pytest.approx(qed) and info["discount"] == pytest.approx(0.9 ** (40 - t))
        assert reward == pytest.approx(qed * 0.9 ** (40 - t))
    final = steps[-1][3]
    assert steps[-1][2] == pytest.approx(score("qed", [final["sample"]])[0])  # gamma^0
    assert final["reward_components"] == {"discounted_qed": pytest.approx(sum(s[2] for s in steps))}
    with pytest.raises(EpisodeOverError):
        env.step(0)


def test_episode_length_and_discount_are_configurable():
    env = MolGraphEnv(max_steps=3, discount=0.5)
    obs, _ = env.reset(seed=0)
    rewards = []
    for t in range(3):
        obs, r, term, trunc, info = env.step(0)
        rewards.append((r, info["score"]))
        assert term == (t == 2) and not trunc and obs["steps_left"][0] == 2 - t
    assert [r for r, _ in rewards] == pytest.approx([s * 0.5 ** (2 - t) for t, (_, s) in enumerate(rewards)])


def test_masked_actions_keep_the_molecule_or_raise():
    env = MolGraphEnv(start_smiles="CCO")
    _, info = env.reset(seed=0)
    masked = info["num_valid_actions"]
    _, _, _, _, info = env.step(masked)
    assert info["invalid_action"] and info["sample"] == "CCO" and info["edit"] == "invalid"
    strict = MolGraphEnv(start_smiles="CCO", on_invalid_action="raise")
    strict.reset(seed=0)
    with pytest.raises(InvalidActionError, match="masked"):
        strict.step(masked)
    for bad in (512, -1, 1.5, np.array([1, 2])):
        with pytest.raises(InvalidActionError):
            env.step(bad)
    with pytest.raises(EpisodeOverError):
        MolGraphEnv().step(0)


def test_more_edits_than_max_actions_are_truncated_and_reported():
    env = MolGraphEnv(start_smiles="C", max_actions=4)
    obs, info = env.reset(seed=0)
    assert [e.smiles for e in env.candidates] == ["C", "CC", "CO", "CN"]
    assert info["truncated_actions"] == 5 and info["num_valid_actions"] == 4 and obs["action_mask"].tolist() == [1, 1, 1, 1]


def test_constrained_plogp_task_starts_from_the_molecule():
    start = "CC(=O)Nc1ccc(O)cc1"
    env = MolGraphEnv(objective="constrained_plogp", start_smiles=start, delta=0.6)
    obs, _ = env.reset(seed=0)
    assert env.max_steps == 20 and obs["steps_left"][0] == 20.0
    _, reward, _, _, info = env.step(0)  # no-op: improvement 0 at similarity 1
    assert info["score"] == pytest.approx(0.0) and reward == pytest.approx(0.0)
    assert info["score_components"]["constrained_plogp/similarity"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="start_smiles"):
        MolGraphEnv(objective="constrained_plogp")
    with pytest.raises(ValueError, match="delta"):
        MolGraphEnv(objective="qed", delta=0.4)
    with pytest.raises(ValueError, match="qedd"):
        MolGraphEnv(objective="qedd")


def test_render_modes_and_provenance():
    env = gym.make(ENV_ID, render_mode="rgb_array", start_smiles=ASPIRIN)
    env.reset(seed=0)
    env.step(0)
    image = env.render()
    assert image.dtype == np.uint8 and image.shape == (300, 300, 3) and image.min() < 100
    env = gym.make(ENV_ID, render_mode="ansi")
    env.reset(seed=0)
    _, _, _, _, info = env.step(1)  # a lone oxygen: water
    assert info["sample"] in env.render() and "qed=" in env.render()
    prov = env.unwrapped.provenance
    assert prov["env_id"] == ENV_ID and len(prov["hash"]) == 16
    assert prov["hash"] == gym.make(ENV_ID).unwrapped.provenance["hash"]
    assert prov["hash"] != gym.make(ENV_ID, discount=0.8).unwrapped.provenance["hash"]
