"""Entry points of the text environments (TextGen-v0, TextOracle-v0).

``TextGen-v0`` keyword arguments (``gym.make`` / ``gym.make_vec``):

* ``reward`` (default ``"sentiment"``): one of :data:`TEXTGEN_REWARDS`, a list of them
  (summed, weighted by ``reward_weights``), any genenvs ``Scorer`` or a ``str -> float``
  callable. Scorers receive the continuation strings, with each episode's
  :class:`~genenvs.text.corpus.Prompt` as its context.
* ``kl_coef`` (default 0.05 with a reference LM, else 0): adds
  ``kl_coef * log p_ref(a_t | prompt, a_<t)`` per token as ``kl_prior``.
* ``tokenizer``, ``vocab_size``: bring your own tokenizer (``tokenizers.Tokenizer``, a
  ``transformers`` tokenizer, or an ``(encode, decode)`` pair plus ``vocab_size``).
* ``prompts``: your own prompts (strings, ``(prompt, reference)`` pairs or ``Prompt``\\ s);
  ``split`` (``"train"``/``"test"``) picks the shipped corpus split otherwise.
* ``reference_model``: a :class:`~genenvs.core.reference_lm.RecurrentLM` (or its file) in
  your tokenizer's ids, for the KL term with a custom tokenizer.
* ``max_length`` (32), ``min_length`` (1), ``max_prompt_length``, ``reference_metric``
  (``"bleu"``), ``num_keywords`` (3), ``target_length`` (12 words), and the generic
  ``granularity``, ``action_type``, ``render_mode``, ``on_invalid_action``, ``autoreset_mode``.

``TextOracle-v0``: ``reward`` ``"oracle_nll"`` (default) or ``"discriminator"``, and
``discriminator_kwargs`` passed to :class:`~genenvs.rewards.DiscriminatorReward`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from genenvs.core.factory import entry_points
from genenvs.core.reference_lm import RecurrentLM
from genenvs.rewards.base import Scorer
from genenvs.rewards.compose import WeightedSum
from genenvs.rewards.discriminator import DiscriminatorReward
from genenvs.rewards.preference import BradleyTerryModel, PreferenceReward
from genenvs.text import rewards as text_rewards
from genenvs.text.corpus import SPLITS, PromptSet, corpus_prompts, user_prompts
from genenvs.text.oracle import (
    ORACLE_FILE,
    SAMPLES_FILE,
    load_oracle_samples,
    oracle_vocab,
)
from genenvs.text.tasks import OracleTask, TextGenTask, encode_prompts
from genenvs.text.vocab import DATA, TOKENIZER_FILE, TextTokenizer, as_tokenizer

TEXTGEN_REWARDS = ("sentiment", "keywords", "reference", "preference", "length", "repetition")
ORACLE_REWARDS = ("oracle_nll", "discriminator")
DEFAULT_KL_COEF = 0.05
REFERENCE_LM_FILE = DATA / "reference_lm.pt"
PREFERENCE_FILE = DATA / "preference_model.pt"


class ReferenceLM:
    """A reference language model and a stable id for it (a file checksum or a weights hash)."""

    def __init__(self, model: RecurrentLM | str | Path) -> None:
        if isinstance(model, (str, Path)):
            path = Path(model)
            if not path.is_file():
                raise ValueError(f"reference_model file {str(path)!r} does not exist")
            self.model = RecurrentLM.load(path)
            self.model_id = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        elif isinstance(model, RecurrentLM):
            digest = hashlib.sha256(repr(model.config).encode())
            for name, tensor in sorted(model.state_dict().items()):
                digest.update(name.encode())
                digest.update(tensor.detach().cpu().numpy().tobytes())
            self.model = model.eval()
            self.model_id = digest.hexdigest()[:16]
        else:
            raise TypeError(f"reference_model must be a genenvs RecurrentLM or the path of one, got {type(model).__name__}")

    def __repr__(self) -> str:  # stable: provenance records kwargs by repr
        return f"ReferenceLM(model={self.model_id})"


@functools.cache
def shipped_reference() -> ReferenceLM:
    return ReferenceLM(REFERENCE_LM_FILE)


@functools.cache
def shipped_preference_model() -> BradleyTerryModel:
    return BradleyTerryModel.load(PREFERENCE_FILE)


@functools.cache
def corpus_widths(num_keywords: int) -> tuple[int, int]:
    """Longest prompt and keyword set, in shipped tokens, over both corpus splits."""
    tok = as_tokenizer(None)
    widths = []
    for field, require_keywords in (("text", False), ("keywords", True)):
        sets = [corpus_prompts(split, num_keywords, require_keywords) for split in SPLITS]
        widths.append(max(len(ids) for prompts in sets for ids in encode_prompts(tok, prompts, field)))
    return widths[0], widths[1]


def make_reward(name: str, tokenizer: TextTokenizer, prompts: PromptSet, reference_metric: str = "bleu", target_length: int = 12) -> Scorer:
    """The scorer behind ``reward=name`` for these prompts and this tokenizer."""
    if name == "sentiment":
        return text_rewards.VaderSentiment()
    if name == "keywords":
        return text_rewards.KeywordCoverage()
    if name == "reference":
        if not prompts.has_references:
            raise ValueError("reward='reference' needs a reference continuation for every prompt; pass prompts as (prompt, reference) pairs")
        return text_rewards.ReferenceOverlap(reference_metric)
    if name == "preference":
        if not tokenizer.shipped:
            raise ValueError("the shipped preference model reads the shipped tokenizer's ids; with your own tokenizer pass reward=<your Scorer>")
        return PreferenceReward(shipped_preference_model())
    if name == "length":
        return text_rewards.LengthPenalty(target_length)
    if name == "repetition":
        return text_rewards.RepetitionPenalty()
    raise ValueError(f"unknown reward {name!r}; choose from {TEXTGEN_REWARDS}, a list of them, a Scorer or a str -> float callable")


def _scorer(reward: Any, weights: dict[str, float] | None, tokenizer: TextTokenizer, prompts: PromptSet, **options: Any) -> tuple[Scorer, list[str]]:
    """``(scorer, reward names)`` for the ``reward=`` argument."""
    if isinstance(reward, Scorer):
        return reward, []
    if callable(reward):
        return text_rewards.callable_scorer(reward), []
    names = [reward] if isinstance(reward, str) else list(reward)
    if not names or not all(isinstance(n, str) for n in names):
        raise TypeError(f"reward must be a name from {TEXTGEN_REWARDS}, a list of names, a Scorer or a callable, got {reward!r}")
    scorers = [make_reward(n, tokenizer, prompts, **options) for n in names]
    if weights is not None:
        unknown = set(weights) - set(names)
        if unknown:
            raise ValueError(f"reward_weights names {sorted(unknown)} that are not among reward={names}")
    if len(scorers) == 1 and not weights:
        return scorers[0], names
    return WeightedSum(scorers, [float((weights or {}).get(n, 1.0)) for n in names], name="reward"), names


def build_textgen(
    reward: str | Sequence[str] | Scorer | Callable[[str], float] = "sentiment",
    kl_coef: float | None = None,
    tokenizer: Any = None,
    vocab_size: int | None = None,
    prompts: Any = None,
    split: str | None = None,
    reference_model: Any = None,
    max_length: int = 32,
    min_length: int = 1,
    max_prompt_length: int | None = None,
    reference_metric: str = "bleu",
    num_keywords: int = 3,
    target_length: int = 12,
    reward_weights: dict[str, float] | None = None,
):
    """The task and per-step rewards of one TextGen-v0 env (keyword arguments: module docstring)."""
    tok = as_tokenizer(tokenizer, vocab_size)
    if prompts is not None and split is not None:
        raise ValueError("pass either prompts= (your own) or split= (the shipped corpus), not both")
    wants_keywords = reward == "keywords" or (isinstance(reward, (list, tuple)) and "keywords" in reward)
    prompt_set = corpus_prompts(split or "train", num_keywords, wants_keywords) if prompts is None else user_prompts(prompts, num_keywords)
    scorer, names = _scorer(reward, reward_weights, tok, prompt_set, reference_metric=reference_metric, target_length=target_length)
    data_files = [TOKENIZER_FILE] if tok.shipped else []
    if prompts is None:
        data_files.append(DATA / f"corpus_{split or 'train'}.txt.gz")
    keyword_width = None
    if prompts is None and tok.shipped and max_prompt_length is None:
        # one observation space for both corpus splits, so a policy trained on one runs on the other
        max_prompt_length, keyword_width = corpus_widths(num_keywords)
    task = TextGenTask(tok, prompt_set, scorer, max_length, min_length, max_prompt_length, "keywords" in names, keyword_width, tuple(data_files))

    has_reference = reference_model is not None or tok.shipped
    coef = (DEFAULT_KL_COEF if has_reference else 0.0) if kl_coef is None else float(kl_coef)
    if not coef:
        return task, []
    if not has_reference:
        raise ValueError(
            "kl_coef > 0 needs a reference LM in your tokenizer's ids: the shipped LM reads only the shipped tokenizer; "
            f"pass reference_model=<RecurrentLM with vocab_size={len(task.vocab)}> or kl_coef=0"
        )
    if reference_model is None:
        reference = shipped_reference()
    else:
        reference = reference_model if isinstance(reference_model, ReferenceLM) else ReferenceLM(reference_model)
    if reference.model.config.vocab_size != len(task.vocab):
        raise ValueError(f"reference_model has vocab_size={reference.model.config.vocab_size}, but the tokenizer gives {len(task.vocab)} actions")
    kl = text_rewards.PromptedKLControl(reference.model, coef, model_id=reference.model_id)
    kl.warm_up(task.prompt_ids, prompt_set.checksum)
    step_scorers = [kl]
    return task, step_scorers


def build_textoracle(reward: str = "oracle_nll", discriminator_kwargs: dict[str, Any] | None = None):
    """The task of one TextOracle-v0 env: ``reward`` is ``"oracle_nll"`` or ``"discriminator"``."""
    if reward == "oracle_nll":
        scorer: Scorer = text_rewards.OracleLikelihood()
    elif reward == "discriminator":
        real = load_oracle_samples("train")
        scorer = DiscriminatorReward(real, vocab_size=len(oracle_vocab()), **(discriminator_kwargs or {}))
    else:
        raise ValueError(f"unknown reward {reward!r} for TextOracle-v0; choose from {ORACLE_REWARDS}")
    if discriminator_kwargs and reward != "discriminator":
        raise ValueError("discriminator_kwargs only applies to reward='discriminator'")
    return OracleTask(scorer, data_files=(ORACLE_FILE, SAMPLES_FILE)), []


def _stable_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Turn user objects into genenvs objects with stable identities before the env records them.

    Provenance records keyword arguments by value (``repr`` for objects), so a tokenizer,
    a lambda or a model would otherwise be recorded by a memory address or a multi-megabyte dump.
    """
    out = dict(kwargs)
    if out.get("tokenizer") is not None:
        out["tokenizer"] = as_tokenizer(out["tokenizer"], out.get("vocab_size"))
    if out.get("prompts") is not None:
        out["prompts"] = user_prompts(out["prompts"], out.get("num_keywords", 3))
    reward = out.get("reward")
    if callable(reward) and not isinstance(reward, Scorer):
        out["reward"] = text_rewards.callable_scorer(reward)
    if out.get("reference_model") is not None and not isinstance(out["reference_model"], ReferenceLM):
        out["reference_model"] = ReferenceLM(out["reference_model"])
    return out


_make_textgen, _make_textgen_vec = entry_points(build_textgen)
make_textoracle, make_textoracle_vec = entry_points(build_textoracle)


def make_textgen(**kwargs: Any):
    return _make_textgen(**_stable_kwargs(kwargs))


def make_textgen_vec(num_envs: int, **kwargs: Any):
    return _make_textgen_vec(num_envs, **_stable_kwargs(kwargs))


make_textgen.__doc__ = make_textgen_vec.__doc__ = __doc__
__all__ = ["ORACLE_REWARDS", "TEXTGEN_REWARDS", "build_textgen", "build_textoracle", "make_reward", "make_textgen", "make_textgen_vec", "make_textoracle", "make_textoracle_vec"]
