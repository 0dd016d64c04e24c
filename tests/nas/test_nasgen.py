"""NASGen-v0: search space, grammar masks, the shipped table, live training, the env contract."""

import hashlib
import json

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401
from genenvs.core import InvalidActionError
from genenvs.nas.grammar import ArchitectureGrammar
from genenvs.nas.rewards import MACS_UNIT, PARAM_UNIT, LiveAccuracy
from genenvs.nas.space import Architecture, Layer, SearchSpace
from genenvs.nas.table import MANIFEST_PATH, TABLE_PATH, default_table
from genenvs.nas.training import TrainingConfig, build_network, train_architecture
from tests.helpers import play as play_episode

SPACE = SearchSpace()
#: Cheap architectures (dense or 8-channel conv) for live-training checks.
CHEAP = ["adam dense w16 relu noskip", "sgd dense w32 tanh skip dense w8 relu skip", "sgd conv w8 k3 relu skip"]


def play(env, actions, seed=0):
    return play_episode(env, actions, seed=seed)


# ---------------------------------------------------------------------- search space
def test_space_enumeration_parsing_and_cost_model():
    archs = list(SPACE.architectures())
    assert len(archs) == SPACE.size() == 2088 == len({str(a) for a in archs})
    assert all(SPACE.parse(str(a)) == a for a in archs)
    for a in archs[::37]:  # the analytic parameter count is the torch model's
        assert a.num_params() == sum(p.numel() for p in build_network(a).parameters())
    a = SPACE.parse("adam conv w16 k3 relu skip dense w32 tanh noskip")
    assert a == Architecture("adam", (Layer("conv", 16, "relu", True, 3), Layer("dense", 32, "tanh", False)))
    # conv 1->16 k3 (160) + projection 1x1 (16) ; dense 16*4*4 -> 32 (8224) ; head 32 -> 10 (330)
    assert a.num_params() == 160 + 16 + 8224 + 330
    assert a.num_macs() == 64 * (9 * 16 + 16) + 256 * 32 + 320


@pytest.mark.parametrize(
    "text, match",
    [
        ("", "empty"),
        ("rmsprop dense w8 relu skip", "optimiser"),
        ("adam dense w8 relu", "incomplete"),
        ("adam dense w12 relu skip", "width"),
        ("adam conv w8 k7 relu skip", "kernel"),
        ("adam dense w8 relu skip conv w8 k3 relu skip", "before dense"),
        ("adam dense w8 relu skip dense w8 relu skip dense w8 relu skip", "1..2 layers"),
    ],
)
def test_parse_rejects_architectures_outside_the_space(text, match):
    with pytest.raises(ValueError, match=match):
        SPACE.parse(text)


def test_max_layers_is_validated():
    with pytest.raises(ValueError, match="max_layers"):
        SearchSpace(max_layers=5)


# ---------------------------------------------------------------------- grammar
def test_masked_walks_enumerate_exactly_the_search_space():
    """Breadth-first over every masked prefix: the complete walks are the space, no more."""
    grammar, V, L = ArchitectureGrammar(SPACE), len(SPACE.vocab), SPACE.max_tokens + 1
    frontier = np.full((1, L), V)
    finished = set()
    for t in range(L):
        masks = grammar.masks(frontier, np.full(len(frontier), t))
        assert masks.any(axis=1).all()
        rows, tokens = np.nonzero(masks)
        ends = tokens == 0
        for r in rows[ends]:
            finished.add(" ".join(SPACE.vocab.symbols(frontier[r, :t])))
        frontier = frontier[rows[~ends]].copy()
        frontier[:, t] = tokens[~ends]
        if not len(frontier):
            break
    assert finished == {str(a) for a in SPACE.architectures()}


def test_grammar_acceptance_equals_parsing_on_random_token_strings():
    grammar, rng = ArchitectureGrammar(SPACE), np.random.default_rng(0)
    archs = [SPACE.vocab.ids(a.tokens()) for a in SPACE.architectures()]
    candidates = [archs[i] for i in rng.choice(len(archs), 300)]
    candidates += [np.delete(a, rng.integers(len(a))) for a in candidates[:150]]  # a token dropped
    candidates += [rng.integers(1, len(SPACE.vocab), size=rng.integers(1, 12)) for _ in range(300)]

    def parses(ids):
        try:
            SPACE.parse(SPACE.vocab.symbols(ids))
            return True
        except ValueError:
            return False

    verdicts = [(grammar.accepts(ids), parses(ids)) for ids in candidates]
    assert all(a == b for a, b in verdicts)
    assert sum(a for a, _ in verdicts) >= 300 and sum(not a for a, _ in verdicts) >= 300


def test_end_token_is_legal_only_for_complete_architectures():
    env = gym.make("NASGen-v0")
    _, info = env.reset(seed=0)
    vocab = env.unwrapped.task.vocab
    legal = lambda info: {vocab.tokens[i] for i in np.flatnonzero(info["action_mask"])}  # noqa: E731
    assert legal(info) == {"sgd", "adam"}
    seen = []
    for token in "adam dense w8 relu skip conv".split()[:-1]:
        _, _, _, _, info = env.step(vocab.index(token))
        seen.append(legal(info))
    assert seen[0] == {"conv", "dense"}  # no <end> before the first layer
    assert "<end>" not in seen[1] | seen[2] | seen[3]
    assert seen[4] == {"<end>", "dense"}  # complete; conv may not follow dense


def test_random_masked_walks_always_yield_valid_architectures_scored_from_the_table():
    env = gym.make_vec("NASGen-v0", 64, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    table = default_table()
    rng = np.random.default_rng(0)
    _, info = env.reset(seed=0)
    finished = 0
    for _ in range(120):
        mask = info["action_mask"]
        _, rewards, term, _, info = env.step((rng.random(mask.shape) * mask).argmax(axis=1))
        for i in np.flatnonzero(term):
            final = info["final_info"]
            assert final["valid"][i]
            assert rewards[i] == table[final["sample"][i]].valid_accuracy == final["reward_components"]["accuracy"][i]
            finished += 1
    assert finished > 500


# ---------------------------------------------------------------------- the table
def test_table_matches_manifest_space_and_protocol():
    table = default_table()
    manifest = json.loads(MANIFEST_PATH.read_text())
    assert hashlib.sha256(TABLE_PATH.read_bytes()).hexdigest() == manifest["nas_table.json"]["sha256"]
    assert len(table) == SPACE.size() and all(str(a) in table for a in SPACE.architectures())
    assert table.header["training"] == TrainingConfig().as_dict()
    row = table["adam dense w16 relu noskip"]
    assert row.num_params == SPACE.parse(row.arch).num_params() and len(row.valid_curve) == 4
    accuracies = np.array([r.valid_accuracy for r in table.rows.values()])
    assert 0.9 < accuracies.max() <= 1.0 and accuracies.min() < 0.5  # a landscape worth searching


@pytest.mark.parametrize("arch", CHEAP)
def test_table_agrees_exactly_with_live_cpu_training(arch):
    row = default_table()[arch]
    result = train_architecture(SPACE.parse(arch))
    assert result.valid_curve == row.valid_curve
    assert result.test_accuracy == row.test_accuracy
    assert result.num_params == row.num_params


def test_lower_epochs_are_the_same_run_stopped_early():
    arch = CHEAP[0]
    short = train_architecture(SPACE.parse(arch), TrainingConfig(epochs=1))
    assert short.valid_accuracy == default_table()[arch].accuracy_at(1)
    env = gym.make("NASGen-v0", epochs=1)
    total, info = play(env, env.unwrapped.encode(arch))
    assert total == short.valid_accuracy and info["valid_curve"] == [short.valid_accuracy]


def test_live_env_trains_caches_and_agrees_with_the_table(tmp_path):
    cache = tmp_path / "live.jsonl"
    live = gym.make("NASGen-v0", live=True, device="cpu", cache_path=str(cache))
    tabular = gym.make("NASGen-v0")
    arch = CHEAP[1]
    r_live, info_live = play(live, live.unwrapped.encode(arch))
    r_table, info_table = play(tabular, tabular.unwrapped.encode(arch))
    assert r_live == r_table and info_live["test_accuracy"] == info_table["test_accuracy"]
    oracle = live.unwrapped.task.oracle
    assert isinstance(oracle, LiveAccuracy) and oracle.trained <= 1
    play(live, live.unwrapped.encode(arch))  # second time: a cache hit
    assert oracle.trained <= 1
    assert json.loads(cache.read_text().splitlines()[0])["arch"] == arch
    assert live.unwrapped.provenance["hash"] != tabular.unwrapped.provenance["hash"]


def test_live_training_reaches_deeper_spaces_deterministically():
    env = gym.make("NASGen-v0", live=True, max_layers=3)
    arch = "adam dense w16 relu skip dense w16 relu skip dense w8 tanh noskip"
    actions = env.unwrapped.encode(arch)
    assert len(actions) == 14 and env.unwrapped.task.max_length == 17
    r1, info = play(env, actions)
    r2 = train_architecture(SearchSpace(max_layers=3).parse(arch)).valid_accuracy
    assert info["sample"] == arch and info["depth"] == 3 and r1 == r2 > 0.3


# ---------------------------------------------------------------------- the environment
def test_env_passes_gymnasium_checker_at_both_granularities():
    check_env(gym.make("NASGen-v0", disable_env_checker=True).unwrapped, skip_render_check=True)
    check_env(gym.make("NASGen-v0", granularity="sample", disable_env_checker=True).unwrapped, skip_render_check=True)


def test_replay_via_encode_and_reward_components_with_costs():
    env = gym.make("NASGen-v0", param_coef=0.01, macs_coef=0.02)
    arch = "adam conv w16 k3 relu skip dense w32 tanh noskip"
    actions = env.unwrapped.encode(arch)
    assert actions[-1] == 0 and len(actions) == 11
    total, info = play(env, actions)
    a, row = SPACE.parse(arch), default_table()[arch]
    assert info["sample"] == arch and info["valid"] is True
    components = info["reward_components"]
    assert components["accuracy"] == row.valid_accuracy
    assert components["param_cost"] == pytest.approx(-0.01 * a.num_params() / PARAM_UNIT)
    assert components["macs_cost"] == pytest.approx(-0.02 * a.num_macs() / MACS_UNIT)
    assert total == pytest.approx(sum(components.values())) and total == pytest.approx(info["score"])
    assert info["num_params"] == a.num_params() and info["test_accuracy"] == row.test_accuracy


def test_longest_architecture_still_ends_with_an_explicit_end_token():
    env = gym.make("NASGen-v0")
    arch = "sgd conv w32 k5 relu skip conv w32 k5 tanh skip"
    total, info = play(env, env.unwrapped.encode(arch))
    assert info["sample"] == arch and info["length"] == 11 and total == default_table()[arch].valid_accuracy


def test_seeded_episodes_are_deterministic():
    def run(seed):
        env = gym.make_vec("NASGen-v0", 8)
        rng = np.random.default_rng(seed)
        _, info = env.reset(seed=seed)
        trace = []
        for _ in range(30):
            mask = info["action_mask"]
            obs, r, term, _, info = env.step((rng.random(mask.shape) * mask).argmax(axis=1))
            trace.append((obs["tokens"].copy(), r.copy(), term.copy()))
        return trace

    for (ta, ra, ea), (tb, rb, eb) in zip(run(3), run(3)):
        assert np.array_equal(ta, tb) and np.array_equal(ra, rb) and np.array_equal(ea, eb)


def test_sample_level_view_takes_token_arrays_and_text():
    table = default_table()
    arch = "sgd conv w8 k5 tanh noskip"
    tokens = gym.make("NASGen-v0", granularity="sample")
    tokens.reset(seed=0)
    _, r, term, _, info = tokens.step(tokens.unwrapped.encode(arch))
    assert term and r == table[arch].valid_accuracy
    text = gym.make("NASGen-v0", granularity="sample", action_type="text")
    text.reset(seed=0)
    assert text.step(arch)[1] == r
    text.reset(seed=0)
    _, r_bad, _, _, info = text.step("adam conv w8")  # incomplete: invalid, scored 0
    assert r_bad == 0.0 and info["valid"] is False


def test_masked_action_ends_the_episode_invalid_or_raises():
    env = gym.make("NASGen-v0")
    env.reset(seed=0)
    vocab = env.unwrapped.task.vocab
    _, r, term, _, info = env.step(vocab.index("conv"))  # an optimiser must come first
    assert term and r == 0.0 and info["valid"] is False and info["invalid_action"] is True
    strict = gym.make("NASGen-v0", on_invalid_action="raise")
    strict.reset(seed=0)
    with pytest.raises(InvalidActionError, match="masked"):
        strict.step(0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_layers": 3}, "live=True"),
        ({"epochs": 9}, "epochs"),
        ({"device": "cuda"}, "live training only"),
        ({"live": True, "device": "tpu"}, "device"),
        ({"param_coef": -1.0}, "param_coef"),
        ({"live": "yes"}, "live"),
    ],
)
def test_bad_kwargs_raise_clear_errors(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        gym.make("NASGen-v0", **kwargs)


def test_encode_rejects_foreign_architectures():
    env = gym.make("NASGen-v0")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="layers"):
        env.unwrapped.encode("adam dense w8 relu skip dense w8 relu skip dense w8 relu skip")
    with pytest.raises(TypeError):
        env.unwrapped.encode(42)


def test_render_ansi_and_rgb():
    env = gym.make("NASGen-v0", render_mode="ansi")
    arch = "adam conv w16 k3 relu skip dense w32 tanh noskip"
    play(env, env.unwrapped.encode(arch))
    text = env.render()
    assert "adam | conv w16 k3 relu skip | dense w32 tanh noskip" in text and "score=" in text
    rgb = gym.make("NASGen-v0", render_mode="rgb_array")
    play(rgb, rgb.unwrapped.encode(arch))
    image = rgb.render()
    assert image.shape == (96, 320, 3) and image.dtype == np.uint8 and (image != 255).any()


def test_vector_env_is_native_and_matches_sync():
    native = gym.make_vec("NASGen-v0", 4, vectorization_mode="vector_entry_point")
    sync = gym.make_vec("NASGen-v0", 4, vectorization_mode="sync")
    assert not isinstance(native, gym.vector.SyncVectorEnv)
    rng = np.random.default_rng(1)
    _, info_n = native.reset(seed=5)
    _, info_s = sync.reset(seed=5)
    for _ in range(40):
        mask = info_n["action_mask"]
        assert np.array_equal(mask, info_s["action_mask"])
        actions = (rng.random(mask.shape) * mask).argmax(axis=1)
        _, r_n, t_n, _, info_n = native.step(actions)
        _, r_s, t_s, _, info_s = sync.step(actions)
        assert np.array_equal(r_n, r_s) and np.array_equal(t_n, t_s)
