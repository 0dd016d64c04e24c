"""Scoring stored samples again: the record an episode leaves, and the env method that reads it.

A leaderboard entry is trusted because anyone can score its stored samples again with the
installed environment (``genenvs leaderboard verify``). Two things make that possible for
every environment, token-level or not, conditional or not:

* at the end of an episode ``info["sample_record"]`` holds **JSON text** with what the
  scorer needs: the sample in a JSON form (token ids, a stroke sequence, synthesiser
  parameters, a SMILES...) and the problem instance it was scored against (prompt,
  problem, target);
* ``env.unwrapped.score_records(records)`` scores a list of such records (parsed) exactly
  as the episodes were scored and returns a :class:`~genenvs.rewards.base.ScoreResult`.

The record is text, not a dict, because vector environments batch dict-valued infos key
by key; a string stays one value per episode whatever vector env, wrapper or trainer
carries it, and a trainer stores it without knowing the domain.

Token-level environments get both from this module (:func:`token_records`,
:func:`score_token_records`): the record holds the generated ids, and re-scoring feeds them
through the same :class:`~genenvs.core.episodes.TokenEpisodes` engine (grammar masks,
decoding, scorer), so the result is the environment's own. Contexts are stored with
:func:`to_json`, a small tagged JSON encoding of numpy arrays, tuples and dataclasses.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from genenvs.rewards.base import Scorer, ScoreResult

if TYPE_CHECKING:
    from genenvs.core.task import Context, TokenTask

#: The key of ``info`` that holds the record at the end of an episode.
RECORD_KEY = "sample_record"

_ARRAY, _TUPLE, _DATACLASS, _DICT = "__ndarray__", "__tuple__", "__dataclass__", "__dict__"
_TAGS = (_ARRAY, _TUPLE, _DATACLASS, _DICT)


class NotRescorableError(ValueError):
    """The environment cannot score stored samples the way it scored them during training."""


# ---------------------------------------------------------------------------- JSON codec


def encode_array(array: np.ndarray) -> dict[str, Any]:
    """An array as JSON: integers and booleans as nested lists, floats as base64 of their bytes (exact)."""
    array = np.asarray(array)
    if array.dtype.kind in "biu":
        data: Any = array.tolist()
    elif array.dtype.kind == "f":
        data = base64.b64encode(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()).decode("ascii")
    else:
        raise TypeError(f"cannot store an array of dtype {array.dtype} as JSON (numbers and booleans only)")
    return {_ARRAY: {"dtype": array.dtype.name, "shape": list(array.shape), "data": data}}


def decode_array(tagged: dict[str, Any]) -> np.ndarray:
    """The inverse of :func:`encode_array`."""
    spec = tagged[_ARRAY]
    dtype, shape = np.dtype(spec["dtype"]), tuple(spec["shape"])
    if isinstance(spec["data"], str):
        return np.frombuffer(base64.b64decode(spec["data"]), dtype=dtype.newbyteorder("<")).astype(dtype).reshape(shape)
    return np.asarray(spec["data"], dtype=dtype).reshape(shape)


def to_json(value: Any) -> Any:
    """``value`` as plain JSON data that :func:`from_json` turns back into an equal value.

    Handles what contexts are made of: JSON scalars, lists, dicts, tuples, numpy arrays and
    scalars, and dataclasses (a :class:`~genenvs.core.task.Context`, a prompt, a problem).
    Tagged values are one-key objects (``{"__ndarray__": ...}``, ``{"__tuple__": [...]}``).
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return encode_array(value)
    if isinstance(value, tuple):
        return {_TUPLE: [to_json(v) for v in value]}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not (len(value) == 1 and next(iter(value)) in _TAGS):
            return {k: to_json(v) for k, v in value.items()}
        return {_DICT: [[to_json(k), to_json(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        fields = {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return {_DATACLASS: [f"{cls.__module__}:{cls.__qualname__}", fields]}
    raise TypeError(f"cannot store a {type(value).__module__}.{type(value).__qualname__} as JSON; make it a dataclass or override TokenTask.context_to_json")


def from_json(data: Any) -> Any:
    """The inverse of :func:`to_json`.

    A dataclass is rebuilt only from a class whose module is already imported (making the
    environment imports them), so reading a record never imports code it names.
    """
    if isinstance(data, list):
        return [from_json(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        tag, inner = next(iter(data.items()))
        if tag == _ARRAY:
            return decode_array(data)
        if tag == _TUPLE:
            return tuple(from_json(v) for v in inner)
        if tag == _DICT:
            return {_hashable(from_json(k)): from_json(v) for k, v in inner}
        if tag == _DATACLASS:
            name, fields = inner
            return _dataclass(name)(**{k: from_json(v) for k, v in fields.items()})
    return {k: from_json(v) for k, v in data.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _dataclass(name: str) -> type:
    module_name, _, qualname = name.partition(":")
    obj: Any = sys.modules.get(module_name)
    for part in qualname.split(".") if obj is not None else ():
        obj = getattr(obj, part, None)
    if not (isinstance(obj, type) and dataclasses.is_dataclass(obj)):
        raise ValueError(f"record names the dataclass {name!r}, which is not a dataclass of a loaded module")
    return obj


def dumps_record(record: dict[str, Any]) -> str:
    """Compact JSON text of a record (what ``info["sample_record"]`` holds)."""
    return json.dumps(record, separators=(",", ":"))


# ---------------------------------------------------------------------------- scorers


def trains_online(scorer: Scorer) -> bool:
    """Whether ``scorer`` (or a scorer inside it) changes while it scores, like an online discriminator.

    Such a scorer gave each sample the score of its state at the time; a fresh environment
    cannot give the same, so its samples are not re-scorable.
    """
    if getattr(scorer, "train_online", False) and getattr(scorer, "update_every", 0):
        return True
    for value in vars(scorer).values():
        inner = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(s, Scorer) and trains_online(s) for s in inner):
            return True
    return False


def check_rescorable(scorer: Scorer, what: str) -> None:
    """Raise :class:`NotRescorableError` when ``scorer`` cannot score stored samples again."""
    if trains_online(scorer):
        raise NotRescorableError(f"{what} is scored by {scorer.name!r}, which is trained online while it scores; a stored sample's score depends on that training state")


# ---------------------------------------------------------------------------- token-level envs


def token_records(task: TokenTask, ids: Sequence[list[int]], contexts: Sequence[Context], forced_invalid: Sequence[bool]) -> list[str]:
    """The records of finished token episodes: generated ids, the context, and whether it was made invalid.

    ``forced_invalid`` marks episodes that ended on a masked token or came from text that
    could not be tokenised; the ids alone do not show it, and it can only lower a score.
    Each text equals ``dumps_record({"tokens": ..., "context": ..., "invalid": True})``; it
    is assembled by hand because it is written for every episode, and a context's JSON is
    made once per problem instance (:func:`context_json`), however many episodes pose it.
    """
    # repr of a list of ints is its JSON with spaces after the commas
    heads = ['{"tokens":' + repr(row).replace(" ", "") for row in ids]
    if task.context_space is not None:
        heads = [head + ',"context":' + context_json(task, context) for head, context in zip(heads, contexts)]
    return [head + (',"invalid":true}' if bad else "}") for head, bad in zip(heads, forced_invalid)]


def context_json(task: TokenTask, context: Context) -> str:
    """Compact JSON text of ``task.context_to_json(context)``, memoised on the context.

    A posed context is not changed afterwards (episodes and scorers only read it), so the
    text made for its first episode serves every later one: a fixed evaluation set passed
    as ``options["contexts"]``, or a problem drawn again.
    """
    cached = context.__dict__.get(_CONTEXT_JSON)
    if cached is None or cached[0] is not task:
        cached = (task, dumps_record(task.context_to_json(context)))
        context.__dict__[_CONTEXT_JSON] = cached
    return cached[1]


_CONTEXT_JSON = "_genenvs_record_json"


def score_token_records(task: TokenTask, records: Sequence[dict[str, Any]]) -> ScoreResult:
    """Score token records by feeding their ids through a fresh engine of ``task`` (no per-step terms)."""
    from genenvs.core.episodes import TokenEpisodes
    from genenvs.core.sample_env import run_samples
    from genenvs.core.task import Context

    check_rescorable(task.scorer, f"task {task.name!r}")
    n = len(records)
    if n == 0:
        return result_of_final_infos([])
    contexts = [task.context_from_json(r["context"]) if task.context_space is not None else Context() for r in records]
    episodes = TokenEpisodes(task, n)
    episodes.reset_rows(np.arange(n), [None] * n, contexts)
    episodes.mark_invalid(np.array([i for i, r in enumerate(records) if r.get("invalid")], dtype=np.int64))
    _, infos = run_samples(episodes, [np.asarray(r["tokens"], dtype=np.int64) for r in records])  # <end> follows each
    return result_of_final_infos([infos[i] for i in range(n)])


def result_of_final_infos(infos: Sequence[dict[str, Any]]) -> ScoreResult:
    """The ``ScoreResult`` that episodes' final infos report (``score``, ``reward_components``, ``valid``).

    Replaying records through an environment's own engine and reading its final infos is
    how most ``score_records`` methods get exactly the environment's scores.
    """
    names = infos[0]["reward_components"].keys() if infos else ()
    return ScoreResult(
        scores=np.array([info["score"] for info in infos], dtype=np.float64),
        components={name: np.array([info["reward_components"][name] for info in infos], dtype=np.float64) for name in names},
        valid=np.array([info["valid"] for info in infos], dtype=bool),
    )


class TaskRecordScoring:
    """Mixin of the token-level envs: ``score_records`` through the env's task."""

    task: TokenTask

    def score_records(self, records: Sequence[dict[str, Any]]) -> ScoreResult:
        """Score parsed ``info["sample_record"]`` records as this environment scored them."""
        return score_token_records(self.task, records)
