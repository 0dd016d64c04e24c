"""Where TextGen prompts come from: the shipped corpus, or your own list.

Every shipped sentence becomes one problem instance: its first words are the *prompt* and
the rest is the *reference* continuation (used by ``reward="reference"`` and as the
source of ``reward="keywords"`` concepts). Splitting happens at a space, so the BPE ids of
prompt and continuation concatenate to the sentence's ids: the reference LM reads the
prompt exactly as it read it in training.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from genenvs.text.vocab import DATA, split_words

SPLITS = ("train", "test")
#: Prompt length in words: a third of the sentence, between these bounds.
MIN_PROMPT_WORDS, MAX_PROMPT_WORDS = 3, 8

#: Function words never chosen as keyword concepts.
STOPWORDS = frozenset(
    [
        "a", "about", "above", "after", "again", "against", "all", "also", "an", "and", "any", "are", "as",
        "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
        "could", "did", "do", "does", "doing", "down", "during", "each", "either", "else", "for", "from",
        "further", "had", "has", "have", "having", "here", "how", "however", "if", "in", "into", "is", "it",
        "its", "itself", "just", "may", "might", "more", "most", "must", "no", "nor", "not", "now", "of",
        "off", "on", "once", "only", "or", "other", "otherwise", "our", "out", "over", "own", "same",
        "should", "since", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
        "these", "they", "this", "those", "through", "thus", "to", "too", "under", "until", "up", "upon",
        "us", "very", "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who",
        "whom", "why", "will", "with", "within", "without", "would", "yet", "you", "your"
    ]
)


@dataclasses.dataclass(frozen=True)
class Prompt:
    """One problem instance: the prompt text, and optionally its reference continuation and concepts.

    ``reference`` starts with the space that separates it from the prompt (``prompt +
    reference`` is the original sentence). ``keywords`` are the concepts a
    ``reward="keywords"`` continuation should mention.
    """

    text: str
    reference: str | None = None
    keywords: tuple[str, ...] = ()


@functools.cache
def load_sentences(split: str = "train") -> tuple[str, ...]:
    """Sentences of the shipped corpus (see ``data/build_corpus.py``)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return tuple(gzip.decompress((DATA / f"corpus_{split}.txt.gz").read_bytes()).decode().splitlines())


def split_sentence(sentence: str) -> tuple[str, str]:
    """``(prompt, reference)``: the first third of the words (3 to 8), and the rest with its leading space."""
    words = sentence.split(" ")
    k = min(MAX_PROMPT_WORDS, max(MIN_PROMPT_WORDS, len(words) // 3))
    return " ".join(words[:k]), " " + " ".join(words[k:])


def content_words(text: str) -> list[str]:
    """Distinct alphabetic non-stopwords of at least three letters, in order of appearance."""
    seen: dict[str, None] = {}
    for w in split_words(text):
        if len(w) >= 3 and w.isalpha() and w not in STOPWORDS:
            seen.setdefault(w, None)
    return list(seen)


def choose_keywords(reference: str | list[str], frequency: Counter, k: int) -> tuple[str, ...]:
    """The ``k`` most common content words of ``reference`` (CommonGen uses common concepts), sorted.

    ``reference`` may be given as its :func:`content_words` already.
    """
    words = content_words(reference) if isinstance(reference, str) else reference
    ranked = sorted(range(len(words)), key=lambda i: (-frequency[words[i]], i))
    return tuple(sorted(words[i] for i in ranked[:k]))


class PromptSet:
    """An immutable list of :class:`Prompt` with a stable identity (for provenance)."""

    def __init__(self, prompts: Sequence[Prompt], source: str) -> None:
        if not prompts:
            raise ValueError("the prompt set is empty; pass at least one prompt")
        self.prompts = tuple(prompts)
        self.source = source
        blob = json.dumps([(p.text, p.reference, p.keywords) for p in self.prompts], separators=(",", ":"))
        self.checksum = hashlib.sha256(blob.encode()).hexdigest()[:16]

    def __len__(self) -> int:
        return len(self.prompts)

    def __getitem__(self, index: int) -> Prompt:
        return self.prompts[index]

    @property
    def has_references(self) -> bool:
        return all(p.reference is not None for p in self.prompts)

    def identity(self) -> dict[str, Any]:
        return {"source": self.source, "count": len(self), "sha256": self.checksum}

    def __repr__(self) -> str:  # stable: provenance records kwargs by repr
        return f"PromptSet({json.dumps(self.identity(), sort_keys=True)})"


def with_keywords(prompts: Sequence[Prompt], k: int) -> list[Prompt]:
    """Fill in missing keywords from each prompt's reference (frequencies over all references)."""
    words = [content_words(p.reference) if p.reference else [] for p in prompts]
    frequency = Counter(w for ws in words for w in ws)
    out = []
    for p, ws in zip(prompts, words):
        if not p.keywords and p.reference:
            p = dataclasses.replace(p, keywords=choose_keywords(ws, frequency, k))
        out.append(p)
    return out


@functools.cache
def corpus_prompts(split: str = "train", num_keywords: int = 3, require_keywords: bool = False) -> PromptSet:
    """The shipped corpus as prompts with references and keywords.

    With ``require_keywords`` the sentences whose continuation has no content word
    (``" is it."``) are left out, so every ``reward="keywords"`` episode has concepts.
    """
    if require_keywords:
        everything = corpus_prompts(split, num_keywords)
        return PromptSet([p for p in everything if p.keywords], source=f"{everything.source}:with-keywords")
    prompts = with_keywords([Prompt(*split_sentence(s)) for s in load_sentences(split)], num_keywords)
    return PromptSet(prompts, source=f"corpus:{split}")


def user_prompts(prompts: Iterable[Any], num_keywords: int = 3) -> PromptSet:
    """Your own prompts: strings, ``(prompt, reference)`` pairs, or :class:`Prompt` objects."""
    if isinstance(prompts, PromptSet):
        return prompts
    if isinstance(prompts, str):
        raise TypeError("prompts must be a list of strings, not one string")
    items = []
    for i, item in enumerate(prompts):
        if isinstance(item, Prompt):
            items.append(item)
        elif isinstance(item, str):
            items.append(Prompt(item))
        elif isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(x, str) for x in item):
            items.append(Prompt(item[0], item[1]))
        else:
            raise TypeError(f"prompts[{i}] must be a str, a (prompt, reference) pair of str or a Prompt, got {item!r}")
    return PromptSet(with_keywords(items, num_keywords), source="user")
