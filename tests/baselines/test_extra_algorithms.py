"""MolDQN, the graph GA, the GFlowNet and RLlib PPO train briefly on CPU and do what they claim."""

import json
import math

import gymnasium as gym
import numpy as np
import pytest
from rdkit import Chem

from baselines import train
from baselines.common.diversity import distinct_n, internal_diversity
from baselines.algos.graph_ga import crossover, mutate
from baselines.train import run

#: The algorithms of this file and their modules (the lines ``baselines.train.ALGORITHMS`` gets).
EXTRA = {"moldqn": "baselines.algos.moldqn", "graph-ga": "baselines.algos.graph_ga", "gflownet": "baselines.algos.gflownet", "rllib-ppo": "baselines.rllib"}
TOY = "GenenvsToy-v0"
if TOY not in gym.registry:
    gym.register(TOY, entry_point="tests.core.toy:make_toy", vector_entry_point="tests.core.toy:make_toy_vec")
PARACETAMOL = "CC(=O)Nc1ccc(O)cc1"


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """Register the algorithms for one test only (other tests check the registry's contents)."""
    for name, module in EXTRA.items():
        monkeypatch.setitem(train.ALGORITHMS, name, module)


def logged(out, key):
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    return np.array([r[key] for r in rows if key in r])


# ---------------------------------------------------------------------------- MolDQN
def test_moldqn_greedy_q_picks_the_best_candidate(tmp_path):
    """One edit from paracetamol, reward = QED of the result: after fitting, argmax Q is the best edit."""
    env_kwargs = {"start_smiles": PARACETAMOL, "max_steps": 1, "fingerprint_bits": 512}
    env = gym.make("MolGraph-v0", **env_kwargs)
    env.reset(seed=0)
    qeds = []
    for action in range(len(env.unwrapped.candidates)):
        env.reset()
        qeds.append(env.step(action)[4]["score"])
    result = run("MolGraph-v0", "moldqn", seed=0, budget=300, out=tmp_path, device="cpu", env_kwargs=env_kwargs, overrides=["hidden=[64]", "lr=0.003", "learning_starts=50", "batch_size=32", "train_every=1", "exploration_fraction=0.6", "target_update_every=50", "log_every=50"])
    metrics = result["metrics"]
    assert len(qeds) > 20 and max(qeds) - np.median(qeds) > 0.1  # a real choice to make
    assert metrics["greedy_score"] == pytest.approx(max(qeds))
    assert metrics["loss_last"] < 1e-3 and metrics["oracle_calls"] == len({s["sample"] for s in result["samples"]}) <= len(qeds)


def test_moldqn_short_run_keeps_its_qed(tmp_path):
    env_kwargs = {"max_steps": 10, "fingerprint_bits": 512}
    result = run("MolGraph-v0", "moldqn", seed=0, budget=400, out=tmp_path, device="cpu", env_kwargs=env_kwargs, overrides=["hidden=[128,32]", "lr=0.001", "learning_starts=100", "batch_size=64", "train_every=1", "target_update_every=100"])
    scores, losses = logged(tmp_path, "mean_score"), logged(tmp_path, "loss")
    assert len(scores) == 8 and losses.size > 0 and np.isfinite(losses).all()
    assert scores[-3:].mean() > 0.2 and scores[-3:].mean() > scores[:3].mean() - 0.05  # random edits score ~0.27
    m = result["metrics"]
    assert m["top1"] >= m["top10"] >= m["top100"] > 0 and 0 < m["oracle_calls"] <= 400
    assert Chem.MolFromSmiles(m["greedy_sample"]) is not None and (tmp_path / "checkpoint.pt").exists()


# ---------------------------------------------------------------------------- graph GA
def test_graph_ga_operators_make_valid_molecules():
    rng = np.random.default_rng(0)
    parents = [Chem.MolFromSmiles(s) for s in (PARACETAMOL, "O=C(O)c1ccccc1OC(C)=O", "CN1CCC[C@H]1c1cccnc1", "CCOC(=O)C1=CC=CCC1")]
    children = [crossover(parents[i % 4], parents[(i + 1) % 4], rng) for i in range(40)]
    made = [c for c in children if c is not None]
    assert len(made) >= 30
    for child in made:
        assert Chem.MolFromSmiles(Chem.MolToSmiles(child)) is not None and len(Chem.GetMolFrags(child)) == 1
    mutants = {Chem.MolToSmiles(mutate(parents[0], 1.0, rng)) for _ in range(30)}
    assert len(mutants - {Chem.MolToSmiles(parents[0])}) >= 10
    assert all(Chem.MolFromSmiles(s) is not None for s in mutants)
    assert Chem.MolToSmiles(mutate(parents[0], 0.0, rng)) == Chem.MolToSmiles(parents[0])


def test_graph_ga_beats_random_at_the_same_oracle_budget(tmp_path):
    ga = run("MolGen-v0", "graph-ga", seed=0, budget=300, out=tmp_path / "ga", device="cpu")
    rnd = run("MolGen-v0", "random", seed=0, budget=300, out=tmp_path / "random", device="cpu")
    g, r = ga["metrics"], rnd["metrics"]
    assert g["oracle_calls"] == 300 and len(ga["oracle_call_order"]) == len(set(ga["oracle_call_order"])) == 300
    assert g["top10"] > r["top10"] + 0.1 and g["auc_top10"] > r["auc_top10"] + 0.1
    assert g["generations"] >= 1 and 0.5 < g["internal_diversity_top100"] <= 1
    assert ga["samples"][0]["score"] == pytest.approx(g["top1"])


def test_graph_ga_proposes_smiles_the_smiles_env_can_spell(tmp_path):
    """Random SMILES tokens are rarely valid, so MolSmiles-v0 is where the GA's pre-check matters."""
    result = run("MolSmiles-v0", "graph-ga", seed=0, budget=300, out=tmp_path, device="cpu")
    assert result["metrics"]["oracle_calls"] == 300 and result["metrics"]["top10"] > 0.9
    assert logged(tmp_path, "children_valid")[0] == 1.0  # every child proposed in a full generation was scored


# ---------------------------------------------------------------------------- GFlowNet
def test_gflownet_trajectory_balance_loss_falls_and_log_z_moves(tmp_path):
    run(TOY, "gflownet", seed=0, budget=1920, out=tmp_path, device="cpu", overrides=["lr=0.003", "beta=10"])
    loss, log_z = logged(tmp_path, "loss"), logged(tmp_path, "log_z")
    assert len(loss) == 30 and np.isfinite(loss).all()
    assert loss[-5:].mean() < 0.25 * loss[:3].mean()
    assert np.abs(log_z - log_z[0]).max() > 5.0  # log Z is learned, not frozen at its first-batch estimate


def test_gflownet_on_molgen_reports_diversity(tmp_path):
    result = run("MolGen-v0", "gflownet", seed=0, budget=192, out=tmp_path, device="cpu")
    m = result["metrics"]
    assert m["oracle_calls"] == 192 and 0.5 < m["internal_diversity_top100"] <= 1 and m["unique_fraction_top100"] == 1.0
    assert math.isfinite(m["log_z_last"]) and m["log_z_last"] > 0  # sequences have log P_F << 0, so Z must be large
    assert 0.5 < logged(tmp_path, "batch_internal_diversity").min()


def test_diversity_metrics():
    assert internal_diversity(["CCO", "CCO"]) == pytest.approx(0.0)
    assert 0.5 < internal_diversity(["CCO", "c1ccccc1", "CC(=O)Nc1ccc(O)cc1"]) <= 1.0
    assert distinct_n(["a b c", "a b d"], 2) == pytest.approx(3 / 4)
    assert distinct_n(["a b", "a b"], 1) == pytest.approx(2 / 4)


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="MolGen-v0, MolSmiles-v0"):
        run("MolGraph-v0", "graph-ga", budget=10, out=tmp_path, device="cpu")
    with pytest.raises(ValueError, match="per-candidate fingerprints"):
        run("MolGen-v0", "moldqn", budget=10, out=tmp_path, device="cpu")
    with pytest.raises(ValueError, match="log_reward"):
        run("MolGen-v0", "gflownet", budget=10, out=tmp_path, device="cpu", overrides=["log_reward=linear"])


# ---------------------------------------------------------------------------- Ray RLlib
@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="ray[rllib] is not installed (pip install 'ray[rllib]==2.60.0')")
    pytest.importorskip("ray.rllib", reason="ray is installed without RLlib (pip install 'ray[rllib]==2.60.0')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow  # starting Ray and two env-runner processes: ~15 s on an idle machine, more under load
def test_rllib_ppo_runs_a_few_iterations_with_two_env_runners(tmp_path, local_ray):
    result = run("MolGen-v0", "rllib-ppo", seed=0, budget=600, out=tmp_path, device="cpu", overrides=["train_batch_size=200", "minibatch_size=50", "num_epochs=1", "hidden=[32]"])
    m = result["metrics"]
    assert m["iterations"] >= 2 and m["env_steps"] >= 600  # RLlib may sample a little more than asked per iteration
    assert 0 < m["mean_score_last"] < 1 and 0 < m["validity_last"] <= 1
    assert (tmp_path / "checkpoint" / "rllib_checkpoint.json").exists()
    assert local_ray.is_initialized()  # a Ray instance the caller started is left running


@pytest.mark.slow  # each Ray worker process imports genenvs: a few seconds idle, more under load
def test_ray_scorer_matches_the_local_scorer(local_ray):
    from baselines.rllib import RayScorer
    from genenvs.molecule.objectives import make_scorer
    from genenvs.rewards.base import SampleBatch

    scorer = make_scorer("qed")
    smiles = ["CCO", PARACETAMOL, "c1ccccc1", "not a molecule", "CN1CCC[C@H]1c1cccnc1", "O=C=O", "CCN(CC)CC"]
    batch = SampleBatch(smiles, valid=np.array([s != "not a molecule" for s in smiles]))
    remote, local = RayScorer(scorer, num_workers=3)(batch), scorer(batch)
    np.testing.assert_allclose(remote.scores, local.scores)
    np.testing.assert_array_equal(remote.valid, local.valid)
    assert remote.components.keys() == local.components.keys()
    assert RayScorer(scorer).identity() == scorer.identity()
