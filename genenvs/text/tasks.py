"""Text generation tasks: prompted continuation (TextGen-v0) and the synthetic oracle (TextOracle-v0)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from gymnasium import spaces

from genenvs.core.task import Context, TokenTask
from genenvs.rewards.base import Scorer
from genenvs.text.corpus import Prompt, PromptSet
from genenvs.text.oracle import ORACLE_LENGTH, oracle_vocab
from genenvs.text.vocab import TextTokenizer, file_sha256


class PromptContext(Context):
    """A :class:`Context` whose ``observation`` is a fresh copy on every read.

    The sample-level env returns ``context.observation`` itself from both ``reset`` and
    ``step``; a dict of arrays shared between the two would let a user's edit of one
    observation change the other (Gymnasium's checker rejects that).
    """

    @property  # type: ignore[override]
    def observation(self) -> dict[str, Any]:
        return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in self._observation.items()}

    @observation.setter
    def observation(self, value: dict[str, Any]) -> None:
        self._observation = value


def _pad(ids: np.ndarray, width: int, pad_id: int) -> np.ndarray:
    out = np.full(width, pad_id, dtype=np.int64)
    out[: len(ids)] = ids
    return out


#: Encoded prompt sets, most recently used last (a SyncVectorEnv builds one task per env).
_ENCODED: OrderedDict[tuple[str, str, str], list[np.ndarray]] = OrderedDict()
ENCODED_CACHE_SIZE = 16


def encode_prompts(tokenizer: TextTokenizer, prompts: PromptSet, field: str = "text") -> list[np.ndarray]:
    """Token ids of every prompt's text (or, with ``field="keywords"``, of its keywords), memoised."""
    key = (tokenizer.cache_key(), prompts.checksum, field)
    if key in _ENCODED:
        _ENCODED.move_to_end(key)
        return _ENCODED[key]
    texts = [p.text if field == "text" else " ".join(p.keywords) for p in prompts]
    try:
        encoded = tokenizer.encode_many(texts)
    except ValueError:
        encoded = [None] * len(texts)  # encode one by one below, to name the prompt at fault
    for i, text in enumerate(texts):
        if encoded[i] is None:
            try:
                encoded[i] = tokenizer.encode(text)
            except ValueError as exc:
                raise ValueError(f"prompt {i} cannot be tokenised: {exc}") from None
        if len(encoded[i]) == 0:
            raise ValueError(f"prompt {i} has no {field} after tokenisation: {text!r}")
    _ENCODED[key] = encoded
    while len(_ENCODED) > ENCODED_CACHE_SIZE:
        _ENCODED.popitem(last=False)
    return encoded


class TextGenTask(TokenTask):
    """Continue a prompt token by token; the continuation is scored when it ends.

    Args:
        tokenizer: a :class:`~genenvs.text.vocab.TextTokenizer` (the shipped BPE or yours).
        prompts: the problem instances; one is drawn uniformly per episode.
        scorer: scores the continuation strings (contexts are the episodes' :class:`Prompt`).
        max_length: tokens in a continuation at most (the episode then ends).
        min_length: ``<end>`` is masked before this many tokens.
        max_prompt_length: width of the prompt observation (default: the longest prompt).
        keywords: add the prompt's concepts to the observation (``reward="keywords"``).
        max_keyword_length: width of the keyword observation (default: the longest).
        data_files: shipped files the task reads, for its checksums.
    """

    name = "textgen"
    version = "1"
    accepts_text = True
    prompt_field = "prompt"

    def __init__(
        self,
        tokenizer: TextTokenizer,
        prompts: PromptSet,
        scorer: Scorer,
        max_length: int = 32,
        min_length: int = 1,
        max_prompt_length: int | None = None,
        keywords: bool = False,
        max_keyword_length: int | None = None,
        data_files: tuple = (),
    ) -> None:
        if max_length < 1:
            raise ValueError(f"max_length must be >= 1 token, got {max_length}")
        if not 0 <= min_length <= max_length:
            raise ValueError(f"min_length must lie in 0..max_length={max_length}, got {min_length}")
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab
        self.prompts = prompts
        self._index_of = {id(p): i for i, p in enumerate(prompts)}  # records store a prompt by index
        self.scorer = scorer
        self.max_length = int(max_length)
        self.min_length = int(min_length)
        self.max_text_length = 16 * self.max_length
        self.keywords = bool(keywords)
        self._data_files = tuple(data_files)
        self._prompt_ids = encode_prompts(tokenizer, prompts)
        longest = max(len(ids) for ids in self._prompt_ids)
        self.prompt_width = longest if max_prompt_length is None else int(max_prompt_length)
        if self.prompt_width < longest:
            raise ValueError(f"a prompt has {longest} tokens, more than max_prompt_length={max_prompt_length}")
        V = len(self.vocab)
        fields: dict[str, spaces.Space] = {
            "prompt": spaces.MultiDiscrete(np.full(self.prompt_width, V + 1, dtype=np.int64)),
            "prompt_length": spaces.Discrete(self.prompt_width + 1),
        }
        if self.keywords:
            missing = [i for i, p in enumerate(prompts) if not p.keywords]
            if missing:
                raise ValueError(f"reward='keywords' needs concepts for every prompt; prompt {missing[0]} has none (give prompts with references)")
            self._keyword_ids = encode_prompts(tokenizer, prompts, "keywords")
            longest = max(len(ids) for ids in self._keyword_ids)
            self.keyword_width = longest if max_keyword_length is None else int(max_keyword_length)
            if self.keyword_width < longest:
                raise ValueError(f"a keyword set has {longest} tokens, more than max_keyword_length={max_keyword_length}")
            fields["keywords"] = spaces.MultiDiscrete(np.full(self.keyword_width, V + 1, dtype=np.int64))
        self.context_space = spaces.Dict(fields)

    @property
    def prompt_ids(self) -> list[np.ndarray]:
        """Token ids of every prompt, in order (shared: do not modify)."""
        return self._prompt_ids

    # ------------------------------------------------------------------ instances
    def context_for(self, index: int) -> Context:
        """The context of prompt ``index`` (pass it as ``reset(options={"context": ...})``)."""
        ids = self._prompt_ids[index]
        pad = self.vocab.pad_id
        observation = {"prompt": _pad(ids, self.prompt_width, pad), "prompt_length": len(ids)}
        if self.keywords:
            observation["keywords"] = _pad(self._keyword_ids[index], self.keyword_width, pad)
        return PromptContext(observation=observation, payload=self.prompts[index], prefix=ids)

    def sample_context(self, rng: np.random.Generator) -> Context:
        return self.context_for(int(rng.integers(len(self.prompts))))

    def context_to_json(self, context: Context) -> Any:
        """A prompt of the set is stored as its index (cheap, and a stored index cannot invent a prompt)."""
        index = self._index_of.get(id(context.payload))
        return {"prompt_index": index} if index is not None else super().context_to_json(context)

    def context_from_json(self, data: Any) -> Context:
        if isinstance(data, dict) and set(data) == {"prompt_index"}:
            index = data["prompt_index"]
            if not (isinstance(index, int) and 0 <= index < len(self.prompts)):
                raise ValueError(f"stored prompt_index {index!r} is not an index of this task's {len(self.prompts)} prompts")
            return self.context_for(index)
        return super().context_from_json(data)

    # ------------------------------------------------------------------ decoding
    def decode(self, ids: np.ndarray, context: Context) -> tuple[str, bool]:
        return self.tokenizer.decode(ids), True

    def encode(self, sample: str, context: Context | None = None) -> np.ndarray:
        """Action ids that generate the continuation ``sample`` (text), ending with ``<end>``."""
        ids = self.tokenizer.encode(sample)
        if len(ids) > self.max_length:
            raise ValueError(f"the continuation needs {len(ids)} tokens, more than max_length={self.max_length}")
        return np.append(ids, self.vocab.end_id)

    # ------------------------------------------------------------------ identity
    def params(self) -> dict[str, Any]:
        return {"prompts": self.prompts.identity(), "tokenizer": self.tokenizer.identity(), "prompt_width": self.prompt_width, "keywords": self.keywords}

    def reference_model_path(self) -> str | None:
        """The shipped LM, when the task uses the shipped tokenizer (its ids are the LM's)."""
        if not getattr(self.tokenizer, "shipped", False):
            return None
        from genenvs.text.env import REFERENCE_LM_FILE

        return str(REFERENCE_LM_FILE)

    def data_checksums(self) -> dict[str, str]:
        return {path.name: file_sha256(path) for path in self._data_files}

    # ------------------------------------------------------------------ display
    def render_text(self, sample: Any, partial_ids: np.ndarray, context: Context) -> str:
        text = sample if sample is not None else self.tokenizer.decode(partial_ids)
        prompt = context.payload.text if isinstance(context.payload, Prompt) else ""
        return f"{prompt}[{text}]"

    def describe_context(self, context: Context) -> str:
        prompt = context.payload
        if not isinstance(prompt, Prompt):
            return ""
        return f"prompt: {prompt.text!r}" + (f"  keywords: {', '.join(prompt.keywords)}" if self.keywords else "")

    def episode_info(self, sample: Any, context: Context) -> dict[str, Any]:
        return {"prompt": context.payload.text if isinstance(context.payload, Prompt) else None}


class OracleTask(TokenTask):
    """Generate 20 oracle words; the oracle defines the true distribution (SeqGAN's synthetic task).

    ``<end>`` is always masked (``min_length == max_length == 20``): every sample has
    exactly 20 tokens, as in SeqGAN and Texygen.
    """

    name = "text_oracle"
    version = "1"
    accepts_text = True

    def __init__(self, scorer: Scorer, data_files: tuple = ()) -> None:
        self.vocab = oracle_vocab()
        self.max_length = self.min_length = ORACLE_LENGTH
        self.max_text_length = 6 * ORACLE_LENGTH
        self.scorer = scorer
        self._data_files = tuple(data_files)

    def decode(self, ids: np.ndarray, context: Context) -> tuple[str, bool]:
        return " ".join(self.vocab.symbols(ids)), len(ids) == ORACLE_LENGTH

    def encode(self, sample: str, context: Context | None = None) -> np.ndarray:
        """Ids of a sample written as 20 words ``"w12 w7 ..."``, then ``<end>``."""
        if not isinstance(sample, str):
            raise TypeError(f"an oracle sample is a string of {ORACLE_LENGTH} words, got {type(sample).__name__}")
        words = sample.split()
        if len(words) != ORACLE_LENGTH:
            raise ValueError(f"an oracle sample has exactly {ORACLE_LENGTH} words, got {len(words)}")
        return np.append(self.vocab.ids(words), self.vocab.end_id)

    def data_checksums(self) -> dict[str, str]:
        return {path.name: file_sha256(path) for path in self._data_files}
