"""TextGen-v0: the contract, the shipped corpus and models, every reward option."""

import json

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401  (registers the environments)
from genenvs.core.errors import EpisodeOverError, InvalidActionError
from genenvs.core.reference_lm import RecurrentLM, evaluate_nll
from genenvs.rewards import KLControl
from genenvs.text.corpus import load_sentences
from genenvs.text.data.train_lm import encode_sentences
from genenvs.text.env import (
    REFERENCE_LM_FILE,
    TEXTGEN_REWARDS,
    shipped_preference_model,
)
from genenvs.text.rewards import PromptedKLControl


def play(env, actions, seed=0, options=None):
    env.reset(seed=seed, options=options)
    total, info = 0.0, {}
    for a in actions:
        _, r, term, trunc, info = env.step(a)
        total += r
        if term or trunc:
            break
    return total, info


def fitting_prompt(env, max_tokens=20):
    """Index of a training prompt whose reference continuation fits in ``max_tokens`` tokens."""
    task = env.unwrapped.task
    for i, p in enumerate(task.prompts):
        if len(task.tokenizer.encode(p.reference)) <= max_tokens:
            return i
    raise AssertionError("no short reference in the corpus")


@pytest.mark.parametrize("kwargs", [{}, {"reward": "keywords"}])
@pytest.mark.parametrize("granularity", ["token", "sample"])
def test_passes_gymnasium_checker(granularity, kwargs):
    env = gym.make("TextGen-v0", granularity=granularity, **kwargs)
    check_env(env.unwrapped, skip_render_check=True)


def test_default_reward_is_sentiment_plus_kl_and_return_is_their_sum():
    env = gym.make("TextGen-v0")
    index = fitting_prompt(env)
    context = env.unwrapped.task.context_for(index)
    reference = context.payload.reference
    total, info = play(env, env.unwrapped.encode(reference), options={"context": context})
    assert info["sample"] == reference and info["prompt"] == context.payload.text
    assert set(info["reward_components"]) == {"sentiment", "kl_prior"}
    assert info["reward_components"]["kl_prior"] < 0  # 0.05 * sum of log-probabilities
    assert total == pytest.approx(sum(info["reward_components"].values()))


def test_replaying_a_continuation_reproduces_it_in_both_granularities():
    token_env = gym.make("TextGen-v0")
    sample_env = gym.make("TextGen-v0", granularity="sample", action_type="text")
    text = " returns a very good and useful result."
    r_token, info_token = play(token_env, token_env.unwrapped.encode(text), seed=3)
    sample_env.reset(seed=3)
    _, r_sample, term, _, info_sample = sample_env.step(text)
    assert term and info_token["sample"] == info_sample["sample"] == text
    assert r_sample == pytest.approx(r_token)
    assert info_sample["reward_components"] == pytest.approx(info_token["reward_components"])


def test_text_outside_the_alphabet_is_an_invalid_sample():
    env = gym.make("TextGen-v0", granularity="sample", action_type="text")
    env.reset(seed=0)
    _, _, _, _, info = env.step(" caf\u00e9")
    assert info["valid"] is False and info["untokenizable"]
    with pytest.raises(ValueError, match="cannot be represented"):
        env.unwrapped.task.encode(" caf\u00e9")


def test_observation_holds_prompt_ids_and_the_reference_lm_reads_them():
    env = gym.make("TextGen-v0")
    obs, _ = env.reset(seed=5)
    task = env.unwrapped.task
    prompt = env.unwrapped._episodes.contexts[0].payload
    n = int(obs["context"]["prompt_length"])
    ids = obs["context"]["prompt"]
    assert task.tokenizer.decode(ids[:n]) == prompt.text and (ids[n:] == len(task.vocab)).all()
    # the episode's first KL term is the reference's log-prob of the token after the prompt
    kl = env.unwrapped._episodes.step_scorers[0]
    first = int(task.tokenizer.encode(prompt.reference)[0])
    _, r, _, _, _ = env.step(first)
    lm = kl.model
    import torch

    with torch.no_grad():
        seq = torch.as_tensor(np.concatenate([[lm.start_id], ids[:n]]))[None]
        logits, _ = lm(seq)
        expected = 0.05 * torch.log_softmax(logits[0, -1], -1)[first].item()
    assert r == pytest.approx(expected, abs=1e-5)


def test_batched_prompt_reading_matches_kl_control():
    env = gym.make("TextGen-v0")
    task = env.unwrapped.task
    model = env.unwrapped._episodes.step_scorers[0].model
    contexts = [task.context_for(i) for i in range(6)]
    ours, base = PromptedKLControl(model, 0.05), KLControl(model, 0.05)
    for kl in (ours, base):
        kl.allocate(6)
        kl.reset_rows(np.arange(6), contexts)
    actions = np.array([5, 17, 3, 99, 250, 1])
    np.testing.assert_allclose(ours.step(np.arange(6), actions), base.step(np.arange(6), actions), atol=1e-5)
    assert ours.identity() == base.identity()


def test_reference_lm_prefers_held_out_text_to_shuffled_text():
    model = RecurrentLM.load(REFERENCE_LM_FILE)
    sentences = load_sentences("test")[:300]
    real = evaluate_nll(model, *encode_sentences(sentences))
    shuffled = evaluate_nll(model, *encode_sentences(sentences, shuffle_seed=0))
    assert real < 0.75 * shuffled
    assert REFERENCE_LM_FILE.stat().st_size < 10 * 2**20


def _components(reward, **kwargs):
    env = gym.make("TextGen-v0", reward=reward, **kwargs)
    index = fitting_prompt(env)
    context = env.unwrapped.task.context_for(index)
    total, info = play(env, env.unwrapped.encode(context.payload.reference), options={"context": context})
    assert total == pytest.approx(sum(info["reward_components"].values()))
    return info["reward_components"]


@pytest.mark.parametrize(
    "reward, component, expected",
    [
        ("keywords", "keyword_coverage", 1.0),  # the reference mentions its own concepts
        ("reference", "bleu", 1.0),  # and matches itself
        ("length", "length", None),
        ("repetition", "repetition", 0.0),
        ("preference", "preference", None),
    ],
)
def test_every_reward_option_reports_its_components(reward, component, expected):
    components = _components(reward)
    assert set(components) == {component, "kl_prior"}
    if expected is not None:
        assert components[component] == pytest.approx(expected)


@pytest.mark.parametrize("metric", ["chrf", "rougeL"])
def test_reference_metrics(metric):
    assert _components("reference", reference_metric=metric)[metric] == pytest.approx(1.0)


def test_rewards_can_be_summed_with_weights():
    components = _components(["sentiment", "repetition"], reward_weights={"repetition": 2.0}, kl_coef=0.0)
    assert set(components) == {"sentiment", "repetition"}


def test_shipped_preference_model_prefers_real_continuations():
    env = gym.make("TextGen-v0", reward="preference", kl_coef=0.0)
    rng = np.random.default_rng(0)
    wins = []
    for i in range(40):
        context = env.unwrapped.task.context_for(i)
        ids = env.unwrapped.task.tokenizer.encode(context.payload.reference)[:32]
        real, _ = play(env, np.append(ids, 0), options={"context": context})
        fake, _ = play(env, np.append(rng.permutation(ids), 0), options={"context": context})
        wins.append(real > fake)
    assert np.mean(wins) > 0.8
    assert shipped_preference_model().metadata["test_accuracy"] > 0.8


def test_native_vector_env_matches_sync_vector_env():
    n, steps = 4, 40
    native = gym.make_vec("TextGen-v0", n, vectorization_mode="vector_entry_point")
    sync = gym.make_vec("TextGen-v0", n, vectorization_mode="sync")
    rng = np.random.default_rng(0)
    actions = rng.integers(1, native.single_action_space.n, size=(steps, n))
    actions[rng.random((steps, n)) < 0.15] = 0
    results = []
    for env in (native, sync):
        env.reset(seed=7)
        rewards = []
        for a in actions:
            _, r, _term, _, _info = env.step(a)
            rewards.append(r)
        results.append(np.array(rewards))
    assert type(native).__name__ == "TokenVectorEnv"
    np.testing.assert_allclose(results[0], results[1], atol=1e-5)


def test_seeded_episodes_are_deterministic():
    def run():
        env = gym.make("TextGen-v0")
        obs, _ = env.reset(seed=11)
        out = [obs["context"]["prompt"].copy()]
        for a in [10, 20, 30, 0]:
            obs, r, _term, _, _ = env.step(a)
            out.append(r)
        return out

    a, b = run(), run()
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1:] == b[1:]


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="sentiment"):
        gym.make("TextGen-v0", reward="toxicity")
    with pytest.raises(ValueError, match="split"):
        gym.make("TextGen-v0", split="validation")
    with pytest.raises(ValueError, match="not both"):
        gym.make("TextGen-v0", prompts=["Hello"], split="test")
    with pytest.raises(ValueError, match="reference"):
        gym.make("TextGen-v0", prompts=["Hello there"], reward="reference")
    with pytest.raises(ValueError, match="reward_weights"):
        gym.make("TextGen-v0", reward=["sentiment"], reward_weights={"length": 1.0})
    env = gym.make("TextGen-v0")
    env.reset(seed=0)
    with pytest.raises(InvalidActionError):
        env.step(env.action_space.n)
    env.step(0) if env.unwrapped.action_masks()[0] else None
    play(env, [5, 0])
    with pytest.raises(EpisodeOverError):
        env.step(5)


def test_render_and_provenance():
    env = gym.make("TextGen-v0", render_mode="ansi")
    play(env, [300, 301, 0], seed=2)
    text = env.render()
    assert "prompt:" in text and "score=" in text
    p = env.unwrapped.provenance
    assert p["task"]["data"]["tokenizer.json"] and p["step_rewards"][0]["name"] == "kl_prior"
    assert gym.make("TextGen-v0", reward="length").unwrapped.provenance["hash"] != p["hash"]
    assert gym.make("TextGen-v0", split="test").unwrapped.provenance["hash"] != p["hash"]
    json.dumps(p)


def test_test_split_prompts_differ_from_training_prompts():
    train = {p.text + p.reference for p in gym.make("TextGen-v0").unwrapped.task.prompts}
    test = [p.text + p.reference for p in gym.make("TextGen-v0", split="test").unwrapped.task.prompts]
    assert not train.intersection(test)


def test_all_reward_names_are_documented_in_the_error():
    with pytest.raises(ValueError) as err:
        gym.make("TextGen-v0", reward="nope")
    for name in TEXTGEN_REWARDS:
        assert name in str(err.value)
