"""Text tokenizers: the shipped BPE tokenizer and adapters for your own.

Every tokenizer is seen by the environments through one small interface,
:class:`TextTokenizer`, which speaks genenvs ids: ``0`` is ``<end>``, symbols are
``1..V-1`` and ``V`` pads observations (see :mod:`genenvs.core.vocab`). A foreign
tokenizer's id ``i`` is genenvs id ``i + 1``, so its own id 0 stays usable.

* :class:`HuggingFaceTokenizer` wraps a ``tokenizers.Tokenizer`` or any object with
  ``encode``/``decode`` like a ``transformers`` tokenizer. The shipped tokenizer
  (:func:`shipped_tokenizer`) is one of these around ``data/tokenizer.json``, a
  byte-level BPE built by ``python -m genenvs.text.data.build_corpus``.
* :class:`CallableTokenizer` wraps a plain ``(encode, decode)`` pair.

:func:`split_words` is the word splitter the rule-based text scorers share.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from genenvs.core.vocab import END, Vocabulary

DATA = Path(__file__).resolve().parent / "data"

#: Lowercase words (with inner apostrophes: ``don't``), digit runs, or one other character.
WORD_PATTERN = re.compile(r"[a-z]+(?:'[a-z]+)*|\d+|[^\sa-z\d]")


def split_words(text: str) -> list[str]:
    """Lowercase word tokens of ``text``, e.g. ``"Don't panic!"`` -> ``["don't", "panic", "!"]``."""
    return WORD_PATTERN.findall(text.lower())


class TextTokenizer:
    """What a text task needs from a tokenizer, in genenvs ids.

    Subclasses set ``vocab`` (a :class:`~genenvs.core.vocab.Vocabulary` whose id ``i``
    names genenvs id ``i``) and implement :meth:`encode`, :meth:`decode` and :meth:`identity`.
    """

    vocab: Vocabulary
    #: True only for the shipped tokenizer (the shipped LM and reward model read its ids).
    shipped: bool = False

    def encode(self, text: str) -> np.ndarray:
        """Genenvs ids of ``text`` (no ``<end>``); ``ValueError`` if it cannot be represented."""
        raise NotImplementedError

    def decode(self, ids: np.ndarray) -> str:
        """Text of genenvs ids ``1..V-1`` (stops at the first ``<end>`` or pad)."""
        raise NotImplementedError

    def encode_many(self, texts: Sequence[str]) -> list[np.ndarray]:
        """:meth:`encode` of each text (subclasses may batch it)."""
        return [self.encode(t) for t in texts]

    def identity(self) -> dict[str, Any]:
        """What identifies this tokenizer in an environment's provenance."""
        return {"kind": type(self).__name__, "vocab": self.vocab.checksum()}

    def cache_key(self) -> str:
        """Equal only for tokenizers that certainly encode alike (memoised prompt ids use it)."""
        return json.dumps(self.identity(), sort_keys=True)


def _foreign_symbols(id_to_token: Callable[[int], str | None], size: int) -> list[str]:
    """Unique display symbols for foreign ids ``0..size-1`` (``#i`` where a name is missing or taken)."""
    symbols: list[str] = []
    seen = {END}
    for i in range(size):
        name = id_to_token(i)
        if name is None or name in seen:
            name = f"#{i}"
        seen.add(name)
        symbols.append(name)
    return symbols


class HuggingFaceTokenizer(TextTokenizer):
    """A ``tokenizers.Tokenizer`` or a ``transformers`` tokenizer (anything with encode/decode).

    Special tokens are not added when encoding: the prompt and the continuation are plain
    text, and ``<end>`` (genenvs id 0) already ends the continuation. With
    ``lossless=True`` :meth:`encode` raises ``ValueError`` for text that does not decode
    back to itself (characters outside the tokenizer's alphabet would be dropped silently).
    """

    def __init__(self, tokenizer: Any, lossless: bool = False) -> None:
        if not (callable(getattr(tokenizer, "encode", None)) and callable(getattr(tokenizer, "decode", None))):
            raise TypeError(f"a tokenizer needs encode() and decode() methods; {type(tokenizer).__name__} has not both")
        self.tokenizer = tokenizer
        self._fast = type(tokenizer).__module__.startswith("tokenizers")  # the Rust `tokenizers.Tokenizer`
        if self._fast:
            size = tokenizer.get_vocab_size(with_added_tokens=True)
            names = _foreign_symbols(tokenizer.id_to_token, size)
        else:
            size = len(tokenizer) if hasattr(tokenizer, "__len__") else int(tokenizer.vocab_size)
            convert = getattr(tokenizer, "convert_ids_to_tokens", None)
            names = _foreign_symbols((lambda i: str(convert(i))) if callable(convert) else (lambda i: None), size)
        self.foreign_size = size
        self.lossless = lossless
        self.vocab = Vocabulary(names)

    def _foreign_ids(self, text: str) -> list[int]:
        if self._fast:
            return list(self.tokenizer.encode(text, add_special_tokens=False).ids)
        return list(self.tokenizer.encode(text, add_special_tokens=False))

    def encode(self, text: str) -> np.ndarray:
        if not isinstance(text, str):
            raise TypeError(f"expected text (str), got {type(text).__name__}")
        ids = np.asarray(self._foreign_ids(text), dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self.foreign_size):
            raise ValueError(f"tokenizer returned ids outside 0..{self.foreign_size - 1} for {text!r}")
        if self.lossless and self.tokenizer.decode(ids.tolist()) != text:
            raise ValueError(f"{text!r} cannot be represented by the tokenizer (characters outside its alphabet?)")
        return ids + 1

    def decode(self, ids: np.ndarray) -> str:
        ids = np.asarray(ids, dtype=np.int64)
        stop = np.flatnonzero((ids == 0) | (ids == len(self.vocab)))
        ids = ids[: stop[0]] if stop.size else ids
        return self.tokenizer.decode([int(i) - 1 for i in ids])

    def encode_many(self, texts: Sequence[str]) -> list[np.ndarray]:
        if not self._fast:
            return super().encode_many(texts)
        encodings = [e.ids for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]
        if self.lossless and self.tokenizer.decode_batch(encodings) != list(texts):
            return super().encode_many(texts)  # one by one, to raise for the text at fault
        return [np.asarray(ids, dtype=np.int64) + 1 for ids in encodings]

    def identity(self) -> dict[str, Any]:
        ident = {"kind": type(self.tokenizer).__name__, "vocab": self.vocab.checksum(), "lossless": self.lossless}
        if self._fast:  # the full definition (merges, normalisers), not just the token list
            ident["definition"] = hashlib.sha256(self.tokenizer.to_str().encode()).hexdigest()[:16]
        return ident

    def __repr__(self) -> str:  # stable: provenance records kwargs by repr
        return f"HuggingFaceTokenizer({self.identity()})"

    def cache_key(self) -> str:
        # a Rust tokenizer is identified by its full definition; other objects only by themselves
        return super().cache_key() if self._fast else f"{super().cache_key()}@{id(self.tokenizer)}"


class CallableTokenizer(TextTokenizer):
    """A plain ``encode(str) -> list[int]`` / ``decode(list[int]) -> str`` pair over ids ``0..vocab_size-1``."""

    def __init__(self, encode: Callable[[str], Sequence[int]], decode: Callable[[list[int]], str], vocab_size: int) -> None:
        if not (callable(encode) and callable(decode)):
            raise TypeError("tokenizer=(encode, decode) needs two callables")
        if vocab_size is None or int(vocab_size) < 1:
            raise ValueError("a callable (encode, decode) tokenizer needs vocab_size=<number of token ids>")
        self._encode, self._decode = encode, decode
        self.foreign_size = int(vocab_size)
        self.vocab = Vocabulary(_foreign_symbols(lambda i: None, self.foreign_size))

    def encode(self, text: str) -> np.ndarray:
        ids = np.asarray(list(self._encode(text)), dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self.foreign_size):
            raise ValueError(f"encode() returned ids outside 0..{self.foreign_size - 1} for {text!r}")
        return ids + 1

    def decode(self, ids: np.ndarray) -> str:
        ids = np.asarray(ids, dtype=np.int64)
        stop = np.flatnonzero((ids == 0) | (ids == len(self.vocab)))
        ids = ids[: stop[0]] if stop.size else ids
        return self._decode([int(i) - 1 for i in ids])

    def __repr__(self) -> str:
        return f"CallableTokenizer({self.identity()})"

    def cache_key(self) -> str:
        return f"{super().cache_key()}@{id(self._encode)}"

    def identity(self) -> dict[str, Any]:
        fn = lambda f: f"{getattr(f, '__module__', '?')}.{getattr(f, '__qualname__', repr(f))}"
        return {"kind": "callable", "encode": fn(self._encode), "decode": fn(self._decode), "vocab_size": self.foreign_size}


TOKENIZER_FILE = DATA / "tokenizer.json"


@functools.cache
def shipped_tokenizer() -> HuggingFaceTokenizer:
    """The shipped byte-level BPE tokenizer (999 tokens: 1,000 actions with ``<end>``)."""
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError("the text environments need the `tokenizers` package: pip install tokenizers") from exc
    wrapped = HuggingFaceTokenizer(Tokenizer.from_file(str(TOKENIZER_FILE)), lossless=True)
    wrapped.shipped = True
    return wrapped


def as_tokenizer(tokenizer: Any = None, vocab_size: int | None = None) -> TextTokenizer:
    """Turn what a user passed as ``tokenizer=`` into a :class:`TextTokenizer`.

    ``None`` gives the shipped BPE tokenizer; a :class:`TextTokenizer` is used as is;
    a ``(encode, decode)`` tuple needs ``vocab_size``; anything else must have
    ``encode``/``decode`` methods (Hugging Face ``tokenizers`` or ``transformers``).
    """
    if tokenizer is None:
        return shipped_tokenizer()
    if isinstance(tokenizer, TextTokenizer):
        return tokenizer
    if isinstance(tokenizer, tuple):
        if len(tokenizer) != 2:
            raise ValueError(f"tokenizer=(encode, decode) must have two callables, got a tuple of {len(tokenizer)}")
        return CallableTokenizer(tokenizer[0], tokenizer[1], vocab_size)  # type: ignore[arg-type]
    return HuggingFaceTokenizer(tokenizer)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
