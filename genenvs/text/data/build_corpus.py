"""Build the shipped English corpus and its BPE tokenizer from the Python standard library.

Source: prose shipped with CPython, under the PSF License Agreement:
``pydoc_data.topics`` (the language-reference text behind ``help()``), the docstrings of
the standard-library modules (``ast``-parsed) and their comment blocks (``tokenize``d),
test packages excluded. Nothing is downloaded: the interpreter that runs this script is
the source, and its version is recorded in ``manifest.json``.

Pipeline: paragraphs that are not code (no indented blocks, no ``>>>``) -> quotation
marks and backquotes removed (they quote identifiers) -> sentences (split after ``.!?``
before a capital) -> kept if ASCII, starting with a capital, ending with ``.``, made of
words, numbers and ``. , ; : ( ) ! ? -`` only, 8 to 32 words long -> deduplicated ->
seeded shuffle, ``TEST_SIZE`` held out. A byte-level BPE tokenizer (the GPT-2 scheme,
Radford et al., 2019) with ``VOCAB_SIZE - 1`` tokens is then trained on the training
split with the Hugging Face ``tokenizers`` library; its alphabet is printable ASCII, so
every printable string can be encoded. Sentences longer than ``MAX_TOKENS`` BPE tokens
(identifier-heavy ones) are dropped from both splits afterwards.

Run:  python -m genenvs.text.data.build_corpus
"""

from __future__ import annotations

import ast
import gzip
import hashlib
import io
import json
import platform
import re
import string
import sysconfig
import tokenize
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from genenvs.text.vocab import split_words

HERE = Path(__file__).resolve().parent
#: Actions of TextGen-v0: ``<end>`` plus ``VOCAB_SIZE - 1`` BPE tokens.
VOCAB_SIZE = 1000
MIN_WORDS, MAX_WORDS = 8, 32
MAX_TOKENS = 64
TEST_SIZE = 1000
SEED = 20261124
ALLOWED_PUNCTUATION = frozenset(".,;:()!?-")
#: Standard-library folders whose text is test scaffolding or demo code, not prose.
SKIPPED_PACKAGES = frozenset({"test", "tests", "idle_test", "site-packages", "turtledemo", "lib2to3", "__phello__"})
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf|Mr|Dr|No)\.", re.IGNORECASE)
#: Quotation marks (and apostrophes that are not inside a word) quote identifiers: dropped.
QUOTES = re.compile(r"[\"`\u201c\u201d]|(?<![A-Za-z])'|'(?![A-Za-z])")


def comment_blocks(source: str) -> Iterator[str]:
    """Runs of full-line ``#`` comments on consecutive lines, as text without the ``#``."""
    block: list[str] = []
    last_row = -2
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type != tokenize.COMMENT or tok.line.strip() != tok.string.strip():
                continue
            if tok.start[0] != last_row + 1 and block:
                yield "\n".join(block)
                block = []
            block.append(re.sub(r"^#+ ?", "", tok.string))
            last_row = tok.start[0]
    except (tokenize.TokenError, SyntaxError):
        pass
    if block:
        yield "\n".join(block)


def stdlib_texts() -> Iterator[str]:
    """pydoc topic texts, then each module's docstrings and comment blocks, in a fixed order."""
    import pydoc_data.topics

    for key in sorted(pydoc_data.topics.topics):
        yield pydoc_data.topics.topics[key]
    root = Path(sysconfig.get_paths()["stdlib"])
    for path in sorted(root.rglob("*.py")):
        if SKIPPED_PACKAGES & set(path.relative_to(root).parts):
            continue
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    yield doc
        yield from comment_blocks(source)


def prose_paragraphs(text: str) -> Iterator[str]:
    """Paragraphs with their lines joined, skipping code blocks, prompts and headings."""
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if not lines or any(line.startswith("   ") or ">>>" in line for line in lines):
            continue
        if any(re.fullmatch(r"[*=~^-]{3,}", line.strip()) for line in lines):
            continue
        joined = " ".join(line.strip() for line in lines).replace("\u2019", "'").replace("\u2018", "'")
        yield re.sub(r"\s+", " ", QUOTES.sub("", joined))


def is_prose_sentence(sentence: str) -> bool:
    if not (sentence.isascii() and sentence[:1].isupper() and sentence.endswith(".")) or ABBREVIATION.search(sentence):
        return False
    words = split_words(sentence)
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if any(not (w[0].isalnum() or w in ALLOWED_PUNCTUATION) for w in words):
        return False
    return sum(w[0].isalpha() for w in words) >= 0.7 * len(words)


def corpus_sentences() -> list[str]:
    unique: dict[str, None] = {}
    for text in stdlib_texts():
        for paragraph in prose_paragraphs(text):
            for sentence in SENTENCE_BREAK.split(paragraph):
                sentence = sentence.strip()
                if is_prose_sentence(sentence):
                    unique.setdefault(sentence, None)
    return list(unique)


def train_tokenizer(sentences: list[str]):
    """Byte-level BPE over printable ASCII (Hugging Face ``tokenizers``)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    alphabet = sorted({c for ch in string.printable for piece, _ in tokenizer.pre_tokenizer.pre_tokenize_str(ch) for c in piece})
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE - 1, initial_alphabet=alphabet, show_progress=False)
    tokenizer.train_from_iterator(sentences, trainer)
    return tokenizer


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_lines(path: Path, lines: list[str]) -> None:
    # mtime=0 keeps the archive bytes (and so its checksum) reproducible
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))


def update_manifest(entries: dict, files: dict) -> None:
    """Merge into ``manifest.json`` (the model-training scripts add their own entries)."""
    path = HERE / "manifest.json"
    manifest = json.loads(path.read_text()) if path.exists() else {}
    manifest.update(entries)
    manifest["files"] = {**manifest.get("files", {}), **files}
    path.write_text(json.dumps(manifest, indent=1) + "\n")


def main() -> None:
    sentences = corpus_sentences()
    order = np.random.default_rng(SEED).permutation(len(sentences))
    shuffled = [sentences[i] for i in order]
    test, train = shuffled[:TEST_SIZE], shuffled[TEST_SIZE:]
    tokenizer = train_tokenizer(train)
    tokenizer.save(str(HERE / "tokenizer.json"))
    fits = lambda split: [s for s, e in zip(split, tokenizer.encode_batch(split)) if len(e.ids) <= MAX_TOKENS]
    train, test = fits(train), fits(test)
    write_lines(HERE / "corpus_train.txt.gz", train)
    write_lines(HERE / "corpus_test.txt.gz", test)
    lengths = [len(e.ids) for e in tokenizer.encode_batch(train)]
    update_manifest(
        {
            "source": "CPython standard library: pydoc_data.topics, module/class/function docstrings and comment blocks",
            "licence": "PSF License Agreement (Python Software Foundation)",
            "python": platform.python_version(),
            "seed": SEED,
            "filters": {"min_words": MIN_WORDS, "max_words": MAX_WORDS, "max_tokens": MAX_TOKENS, "punctuation": "".join(sorted(ALLOWED_PUNCTUATION)), "skipped_packages": sorted(SKIPPED_PACKAGES)},
            "tokenizer": {"kind": "byte-level BPE (tokenizers)", "vocab_size": tokenizer.get_vocab_size(), "max_tokens_per_sentence": max(lengths), "mean_tokens_per_sentence": round(float(np.mean(lengths)), 2)},
        },
        {
            "corpus_train.txt.gz": {"rows": len(train), "sha256": sha256(HERE / "corpus_train.txt.gz")},
            "corpus_test.txt.gz": {"rows": len(test), "sha256": sha256(HERE / "corpus_test.txt.gz")},
            "tokenizer.json": {"sha256": sha256(HERE / "tokenizer.json")},
        },
    )
    print(f"{len(sentences)} sentences, {len(train) + len(test)} within {MAX_TOKENS} tokens (train {len(train)}, test {len(test)}); BPE vocabulary {tokenizer.get_vocab_size()}; tokens per sentence mean {np.mean(lengths):.1f}, max {max(lengths)}")


if __name__ == "__main__":
    main()
