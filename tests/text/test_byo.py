"""Bring your own tokenizer, prompts, reward and reference model (tokenizer trained locally)."""

import json

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import genenvs  # noqa: F401
from genenvs.core.reference_lm import LMConfig, RecurrentLM
from genenvs.rewards import FunctionScorer
from genenvs.text.corpus import load_sentences

tokenizers = pytest.importorskip("tokenizers")

PROMPTS = [("The weather today", " is sunny and warm."), ("My favourite food", " is a good pizza."), ("Python is", " a programming language.")]


@pytest.fixture(scope="module")
def word_tokenizer():
    """A word-level tokenizer trained here, on the shipped corpus (nothing downloaded)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.WordPiece(prefix="##")  # joins words with spaces
    trainer = trainers.WordLevelTrainer(vocab_size=600, special_tokens=["[UNK]"])
    tok.train_from_iterator(list(load_sentences("test")) + [p + r for p, r in PROMPTS], trainer)
    return tok


def test_huggingface_tokenizer_prompts_and_callable_reward(word_tokenizer):
    env = gym.make("TextGen-v0", tokenizer=word_tokenizer, prompts=PROMPTS, reward=lambda text: float(len(text.split())))
    assert env.action_space.n == word_tokenizer.get_vocab_size() + 1
    check_env(env.unwrapped, skip_render_check=True)
    obs, _ = env.reset(seed=0)
    prompt = env.unwrapped._episodes.contexts[0].payload
    total = 0.0
    for a in env.unwrapped.encode("is a list"):
        _, r, term, _, info = env.step(a)
        total += r
    assert term and info["sample"] == "is a list" and info["prompt"] == prompt.text
    assert info["reward_components"] == {"custom": 3.0} and total == 3.0  # no KL term by default
    assert word_tokenizer.decode(obs["context"]["prompt"][: obs["context"]["prompt_length"]] - 1) == prompt.text
    provenance = json.dumps(env.unwrapped.provenance)
    assert "0x" not in provenance  # objects are recorded by identity, not memory address


def test_sample_granularity_with_own_tokenizer_and_scorer(word_tokenizer):
    scorer = FunctionScorer(lambda text: float("list" in text), name="mentions_list")
    env = gym.make("TextGen-v0", tokenizer=word_tokenizer, prompts=PROMPTS, reward=scorer, granularity="sample", action_type="text")
    check_env(env.unwrapped, skip_render_check=True)
    env.reset(seed=1)
    _, r, term, _, info = env.step("is a list")
    assert term and r == 1.0 and info["reward_components"] == {"mentions_list": 1.0}


def test_callable_tokenizer_pair():
    words = ["hello", "world", "good", "bad", "morning"]
    encode = lambda text: [words.index(w) for w in text.split()]
    decode = lambda ids: " ".join(words[i] for i in ids)
    env = gym.make("TextGen-v0", tokenizer=(encode, decode), vocab_size=len(words), prompts=["hello world"], reward="sentiment")
    assert env.action_space.n == len(words) + 1
    _, info = env.reset(seed=0)
    for a in env.unwrapped.encode("good morning"):
        _, _r, _term, _, info = env.step(a)
    assert info["sample"] == "good morning" and info["reward_components"]["sentiment"] > 0
    with pytest.raises(ValueError, match="vocab_size"):
        gym.make("TextGen-v0", tokenizer=(encode, decode), prompts=["hello"])


def test_kl_with_own_tokenizer_needs_own_reference(word_tokenizer):
    with pytest.raises(ValueError, match="reference_model"):
        gym.make("TextGen-v0", tokenizer=word_tokenizer, prompts=PROMPTS, kl_coef=0.1)
    with pytest.raises(ValueError, match="shipped tokenizer"):
        gym.make("TextGen-v0", tokenizer=word_tokenizer, prompts=PROMPTS, reward="preference")
    V = word_tokenizer.get_vocab_size() + 1
    lm = RecurrentLM(LMConfig(vocab_size=V, embed_dim=16, hidden_dim=16, num_layers=1))
    env = gym.make("TextGen-v0", tokenizer=word_tokenizer, prompts=PROMPTS, reference_model=lm, kl_coef=0.1)
    env.reset(seed=0)
    _, r, _, _, _ = env.step(3)
    assert -10 < r < 0
    _, _, term, _, info = env.step(0)
    assert term and set(info["reward_components"]) == {"sentiment", "kl_prior"}
    with pytest.raises(ValueError, match="vocab_size"):
        gym.make("TextGen-v0", tokenizer=word_tokenizer, prompts=PROMPTS, reference_model=RecurrentLM(LMConfig(vocab_size=V + 5)), kl_coef=0.1)


def test_native_vector_env_with_own_tokenizer(word_tokenizer):
    env = gym.make_vec("TextGen-v0", 8, tokenizer=word_tokenizer, prompts=PROMPTS, reward="repetition", vectorization_mode="vector_entry_point")
    env.reset(seed=0)
    rng = np.random.default_rng(0)
    for _ in range(6):
        _, r, _term, _, _info = env.step(rng.integers(1, env.single_action_space.n, size=8))
    assert r.shape == (8,)


def test_bad_prompts_are_rejected(word_tokenizer):
    with pytest.raises(TypeError, match="list of strings"):
        gym.make("TextGen-v0", prompts="just one string")
    with pytest.raises(TypeError, match="prompts\\[1\\]"):
        gym.make("TextGen-v0", prompts=["fine", 3])
    with pytest.raises(ValueError, match="empty"):
        gym.make("TextGen-v0", prompts=[])
    with pytest.raises(ValueError, match="cannot be tokenised"):
        gym.make("TextGen-v0", prompts=["caf\u00e9 au lait"])
