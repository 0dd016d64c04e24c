"""Stored samples score again: the JSON codec, ``info["sample_record"]`` and ``score_records``
of every kind of environment (token-level and not, conditional and not)."""

from __future__ import annotations

import dataclasses
import json

import gymnasium as gym
import numpy as np
import pytest

import genenvs  # noqa: F401
from genenvs.core.rescoring import RECORD_KEY, NotRescorableError, from_json, to_json, trains_online
from genenvs.core.task import Context
from genenvs.rewards.compose import WeightedSum
from genenvs.text.corpus import Prompt
from tests.core.toy import make_toy


@dataclasses.dataclass(frozen=True)
class Unloadable:
    x: int


def test_codec_round_trips_what_contexts_hold():
    value = Context(
        observation={"prompt": np.arange(5, dtype=np.int64), "image": np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3) / 3, "flag": np.bool_(True)},
        payload=Prompt("Return an iterable", " of objects.", ("objects",)),
        prefix=np.array([3, 1, 4]),
    )
    data = json.loads(json.dumps(to_json(value)))
    back = from_json(data)
    assert type(back) is Context and back.payload == value.payload and isinstance(back.payload.keywords, tuple)
    for key in ("prompt", "image"):
        assert back.observation[key].dtype == value.observation[key].dtype and np.array_equal(back.observation[key], value.observation[key])  # floats bit-exact
    assert back.observation["flag"] is True and np.array_equal(back.prefix, value.prefix)
    odd = {1: "int key", "k": ((1, 2), [3]), "only": {"__tuple__": "a dict that looks like a tag"}}
    assert from_json(json.loads(json.dumps(to_json(odd)))) == odd


def test_codec_refuses_what_it_cannot_store_or_should_not_build():
    with pytest.raises(TypeError, match="cannot store a builtins.object as JSON"):
        to_json(object())
    with pytest.raises(ValueError, match="names the dataclass 'no.such.module:Thing', which is not a dataclass of a loaded module"):
        from_json({"__dataclass__": ["no.such.module:Thing", {}]})
    data = to_json(Unloadable(1))
    assert from_json(data) == Unloadable(1)  # its module is loaded: fine
    data["__dataclass__"][0] = "json:JSONDecoder"  # loaded, but not a dataclass
    with pytest.raises(ValueError, match="not a dataclass of a loaded module"):
        from_json(data)


def _episodes(env_id: str, n: int, steps: int, env_kwargs: dict | None = None, granularity: str | None = None) -> tuple[gym.Env, list[dict], np.ndarray, np.ndarray]:
    """Run ``n`` envs with random actions; the finished episodes' parsed records, scores and validity."""
    kwargs = dict(env_kwargs or {}, **({"granularity": granularity} if granularity else {}))
    env = gym.make_vec(env_id, n, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP, **kwargs)
    env.action_space.seed(1)
    env.reset(seed=0)
    records, scores, valid = [], [], []
    for _ in range(steps):
        action = env.action_space.sample()
        if granularity == "sample":  # random tokens; an <end> somewhere in each row
            action = np.where(np.random.default_rng(len(records)).random(action.shape) < 0.1, 0, np.maximum(action, 1))
        _, _, _, _, infos = env.step(action)
        if "final_info" in infos:
            rows = np.flatnonzero(infos["_final_info"])
            records += [json.loads(infos["final_info"][RECORD_KEY][r]) for r in rows]
            scores += [infos["final_info"]["score"][r] for r in rows]
            valid += [infos["final_info"]["valid"][r] for r in rows]
    return env, records, np.array(scores), np.array(valid)


@pytest.mark.parametrize(
    ("env_id", "kwargs", "granularity", "steps"),
    [
        ("MolGen-v0", {}, "sample", 2),
        ("TextGen-v0", {}, "sample", 2),  # conditional: prompts
        ("CodeDSL-v0", {}, "sample", 2),  # conditional: input/output examples
        ("NASGen-v0", {}, "sample", 1),
        ("AudioGen-v0", {}, "token", 40),
        ("ImageGen-v0", {"num_steps": 3}, None, 3),  # conditional: the requested digit
        ("StrokeGen-v0", {"max_steps": 3}, None, 6),  # conditional: the target digit; strokes replayed
        ("SynthMatch-v0", {}, None, 2),
        ("SynthMatch-v0", {"num_steps": 3}, None, 6),
    ],
)
def test_records_score_again_as_the_episodes_were_scored(env_id, kwargs, granularity, steps):
    env, records, scores, valid = _episodes(env_id, 8, steps, kwargs, granularity)
    assert len(records) >= 8
    again = env.unwrapped.score_records(records)
    assert np.allclose(again.scores, scores, rtol=1e-5, atol=1e-6) and np.array_equal(again.valid, valid)
    single = gym.make(env_id, disable_env_checker=True, **kwargs, **({"granularity": granularity} if granularity else {}))
    assert np.allclose(single.unwrapped.score_records(records[:3]).scores, scores[:3], rtol=1e-5, atol=1e-6)  # any view of the env


def test_molgraph_records_its_final_molecule():
    env = gym.make("MolGraph-v0", max_steps=3, disable_env_checker=True)
    _, info = env.reset(seed=0)
    for _ in range(3):
        assert RECORD_KEY not in info
        _, _, terminated, _, info = env.step(int(np.flatnonzero(info["action_mask"])[-1]))
    assert terminated and json.loads(info[RECORD_KEY]) == {"smiles": info["sample"]}
    assert env.unwrapped.score_records([{"smiles": info["sample"]}, {"smiles": ""}]).scores.tolist() == [info["score"], 0.0]


def test_an_episode_ended_by_a_masked_token_stays_invalid():
    env = make_toy()
    env.reset(seed=0)
    env.step(env.unwrapped.task.vocab.index("a"))
    env.step(env.unwrapped.task.vocab.index("c"))
    _, _, terminated, _, info = env.step(env.unwrapped.task.vocab.index("c"))  # "cc" is masked
    record = json.loads(info[RECORD_KEY])
    assert terminated and info["invalid_action"] and record["invalid"] is True
    again = env.score_records([record, {**record, "invalid": False}])
    assert again.valid.tolist() == [False, True] and again.scores[0] == info["score"] == -1.0


def test_scorers_trained_online_are_not_rescorable():
    env = gym.make("TextOracle-v0", reward="discriminator", disable_env_checker=True)
    assert trains_online(env.unwrapped.task.scorer) and trains_online(WeightedSum([env.unwrapped.task.scorer]))
    with pytest.raises(NotRescorableError, match="trained online while it scores"):
        env.unwrapped.score_records([{"tokens": [1, 2]}])
    strokes = gym.make("StrokeGen-v0", reward="discriminator", disable_env_checker=True)
    with pytest.raises(NotRescorableError, match="discriminator trained online"):
        strokes.unwrapped.score_records([])
    assert not trains_online(gym.make("TextOracle-v0", disable_env_checker=True).unwrapped.task.scorer)


@pytest.mark.parametrize("env_id", ["TextGen-v0", "CodeGen-v0", "CodeDSL-v0"])
def test_contexts_of_fixed_sets_are_stored_compactly_and_read_back(env_id):
    """Prompts and problems go in records by index/id, generated DSL tasks as plain lists."""
    task = gym.make(env_id).unwrapped.task
    context = task.sample_context(np.random.default_rng(3))
    data = task.context_to_json(context)
    back = task.context_from_json(json.loads(json.dumps(data)))
    assert len(json.dumps(data)) < 400
    assert back.payload == context.payload
    np.testing.assert_equal(back.observation, context.observation)


def test_a_stored_prompt_index_out_of_range_is_refused():
    task = gym.make("TextGen-v0").unwrapped.task
    with pytest.raises(ValueError, match="prompt_index"):
        task.context_from_json({"prompt_index": len(task.prompts)})


def test_record_text_is_the_json_of_the_record():
    """token_records assembles its text by hand (it runs every episode); it must equal the JSON dump."""
    from genenvs.core.rescoring import dumps_record, token_records

    def token_record(task, ids, context, invalid):
        return token_records(task, [np.asarray(ids).tolist()], [context], [invalid])[0]

    env = gym.make("CodeDSL-v0").unwrapped
    _, _ = env.reset(seed=3)
    context = env._episodes.contexts[0]
    for ids, invalid in (([], False), ([3, 17, 40], True), (np.array([5, 7]), False)):
        text = token_record(env.task, ids, context, invalid)
        expected = {"tokens": list(map(int, ids)), "context": env.task.context_to_json(context)}
        if invalid:
            expected["invalid"] = True
        assert text == dumps_record(expected)
        assert token_record(env.task, ids, context, invalid) == text  # memoised context, same text
