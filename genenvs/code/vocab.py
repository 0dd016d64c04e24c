"""The Python vocabulary of CodeGen-v0: lexical pieces, layout tokens and a character fallback.

A program body is a sequence of *pieces*. Decoding concatenates them, with three rules
that keep the action sequence short and close to how Python is lexed (``tokenize``):

* **Layout tokens** ``<NEWLINE>``, ``<INDENT>`` and ``<DEDENT>`` play the roles of
  ``tokenize``'s tokens of the same names. The decoder writes four spaces per indentation
  level at the start of every line; the body starts at level 1 (inside the ``def``), and a
  ``<DEDENT>`` never goes below it. ``<INDENT>``/``<DEDENT>`` change the level of the next
  line to start, so they are lenient about where they appear, and ``<NEWLINE>`` on an
  empty line does nothing: *every* id sequence decodes to some text.
* **Automatic spaces.** A space is written between two adjacent *word* pieces (names,
  keywords, numbers, string literals) when at least one of them is longer than one
  character (``return`` ``x`` gives ``return x``), and around keywords next to brackets,
  quotes and unary operators (``) if (``, ``in "ab"``, ``return -1``). Pieces that are a
  single character glue to each other, so an identifier outside the vocabulary is spelled
  character by character (``t o t a l 2`` gives ``total2``).
* **Explicit space** ``" "`` for the rare places where two single-character word pieces
  must stay apart, and inside string literals.

The vocabulary (:func:`load_python_vocab`) is built by ``python -m
genenvs.code.data.build_vocab`` from the bundled problems: every Python keyword and
operator, common builtins and methods, the identifiers that occur in at least two
reference solutions or in any signature, small integers, frequent string literals and
frequent words of the problem descriptions (so that prompts are short observations), plus
every printable ASCII character, so any ASCII program can be written.

Encoding (:meth:`PythonVocabulary.encode_body`) lexes the source with ``tokenize``, drops
comments and blank lines, emits one piece per lexeme when the lexeme is in the
vocabulary and its characters otherwise, and checks that the decoded text lexes to the
same tokens; the decoded program is therefore the same program, up to spacing and
comments. Layout follows Python's own rules: statements inside brackets are joined onto
one line, and triple-quoted strings spanning lines cannot be encoded (``ValueError``).
"""

from __future__ import annotations

import functools
import hashlib
import io
import keyword
import re
import string
import textwrap
import tokenize
from pathlib import Path

import numpy as np

from genenvs.core.vocab import Vocabulary

DATA = Path(__file__).resolve().parent / "data"
VOCAB_PATH = DATA / "python_vocab.json"

NEWLINE, INDENT, DEDENT = "<NEWLINE>", "<INDENT>", "<DEDENT>"
LAYOUT = (NEWLINE, INDENT, DEDENT)
SPACE = " "
INDENT_UNIT = "    "
#: Fallback pieces: every printable ASCII character except tab, newline and the like.
CHARACTERS = tuple(c for c in string.printable if c == " " or not c.isspace())
#: Keywords that take spaces around them next to brackets and quotes (not True/False/None).
SPACED_KEYWORDS = frozenset(keyword.kwlist) - {"True", "False", "None"}
_AFTER_KEYWORD = frozenset({"(", "[", "{", "-", "+", "~", "*", "**", '"', "'"})
_BEFORE_KEYWORD = frozenset({")", "]", "}", '"', "'"})
_WORD = re.compile(r"\w+", re.ASCII)
_TEXT_PIECES = re.compile(r"\w+|\n|[^\w\s]", re.ASCII)
_SKIPPED = (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER)
_LAYOUT_TYPES = {tokenize.NEWLINE: NEWLINE, tokenize.INDENT: INDENT, tokenize.DEDENT: DEDENT}


def _is_literal(text: str) -> bool:
    """Whether ``text`` lexes as one number or string literal (e.g. ``0.5``, ``"aeiou"``)."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in _SKIPPED and t.type != tokenize.NEWLINE]
    except (tokenize.TokenError, SyntaxError):
        return False
    return len(tokens) == 1 and tokens[0].type in (tokenize.NUMBER, tokenize.STRING) and tokens[0].string == text


def _lexemes(source: str) -> list[tuple[int, str, tuple[int, int], tuple[int, int]]]:
    """Significant tokens of ``source``: ``(type, string, start, end)``; raises ``ValueError``."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError) as exc:  # IndentationError is a SyntaxError
        raise ValueError(f"the program cannot be lexed: {exc}") from None
    out = []
    for tok in tokens:
        if tok.type in _SKIPPED:
            continue
        if tok.type == tokenize.ERRORTOKEN and tok.string.isspace():
            continue
        if tok.type == tokenize.ERRORTOKEN:
            raise ValueError(f"{tok.string!r} at line {tok.start[0]} is not a Python token")
        out.append((tok.type, tok.string, tok.start, tok.end))
    return out


def _signature(lexemes: list[tuple[int, str, tuple[int, int], tuple[int, int]]]) -> list[tuple[int, str]]:
    """What must survive a round trip: token types and strings (layout tokens by type only)."""
    return [(t, "" if t in _LAYOUT_TYPES else s) for t, s, _, _ in lexemes]


class PythonVocabulary(Vocabulary):
    """A :class:`~genenvs.core.vocab.Vocabulary` of Python pieces that can decode and encode bodies."""

    def __init__(self, symbols) -> None:
        super().__init__(symbols)
        missing = [s for s in (*LAYOUT, *CHARACTERS) if s not in self]
        if missing:
            raise ValueError(f"a Python vocabulary needs the layout tokens and every printable character; missing {missing[:10]}")
        self.newline_id, self.indent_id, self.dedent_id = (self.index(s) for s in LAYOUT)
        self.space_id = self.index(SPACE)
        texts = list(self.tokens)
        #: word pieces: names, keywords, numbers, string literals (they glue to neighbours)
        self._word = np.array([i > 0 and t not in LAYOUT and bool(_WORD.fullmatch(t) or _is_literal(t)) for i, t in enumerate(texts)])
        self._long_word = self._word & np.array([len(t) > 1 for t in texts])
        self._keyword = np.array([t in SPACED_KEYWORDS for t in texts])
        self._after_keyword = np.array([t in _AFTER_KEYWORD for t in texts])
        self._before_keyword = np.array([t in _BEFORE_KEYWORD for t in texts])

    # ------------------------------------------------------------------ decoding
    def space_between(self, a: int, b: int) -> bool:
        """Whether the decoder writes a space between adjacent pieces ``a`` and ``b``."""
        if self._word[a] and self._word[b]:
            return bool(self._long_word[a] or self._long_word[b])
        return bool((self._keyword[a] and self._after_keyword[b]) or (self._keyword[b] and self._before_keyword[a]))

    def decode_body(self, ids: np.ndarray | list[int], depth: int = 1) -> str:
        """The text of a function body (lines indented by ``depth`` levels), ending in a newline.

        Stops at the first end or pad id. Any id sequence decodes (see the module docstring).
        """
        base = depth
        lines: list[str] = []
        line: list[str] = []
        prev = -1
        for i in ids:
            i = int(i)
            if i == self.end_id or i == self.pad_id:
                break
            if i == self.newline_id:
                if line:
                    lines.append("".join(line))
                    line, prev = [], -1
            elif i == self.indent_id:
                depth += 1
            elif i == self.dedent_id:
                depth = max(base, depth - 1)
            else:
                if not line:
                    line.append(INDENT_UNIT * depth)
                elif self.space_between(prev, i):
                    line.append(" ")
                line.append(self.tokens[i])
                prev = i
        if line:
            lines.append("".join(line))
        return "".join(f"{text}\n" for text in lines)

    # ------------------------------------------------------------------ encoding
    def _pieces(self, text: str) -> list[int]:
        if text in self:
            return [self.index(text)]
        bad = sorted({c for c in text if c not in self})
        if bad:
            raise ValueError(f"{text!r} contains characters outside the vocabulary (printable ASCII only): {bad}")
        return [self.index(c) for c in text]

    def encode_body(self, body: str) -> np.ndarray:
        """Ids of a function body (indented or not), without the end token.

        Raises ``ValueError`` when ``body`` does not lex as Python, holds non-ASCII
        characters or a string literal spanning lines.
        """
        if not isinstance(body, str):
            raise TypeError(f"a program body is a str of Python source, got {type(body).__name__}")
        source = textwrap.dedent(body)
        if not source.endswith("\n"):
            source += "\n"
        lexemes = _lexemes(source)
        for t, s, start, end in lexemes:
            if t == tokenize.STRING and start[0] != end[0]:
                raise ValueError(f"the string literal at line {start[0]} spans lines; write it with \\n escapes")
        for explicit in (False, True):
            ids = self._encode_lexemes(lexemes, explicit)
            decoded = _lexemes(self.decode_body(ids, depth=0))
            if _signature(decoded) == _signature(lexemes):
                return np.asarray(ids, dtype=np.int64)
        raise ValueError("the program's spacing cannot be represented in the vocabulary")

    def _encode_lexemes(self, lexemes, explicit_spaces: bool) -> list[int]:
        ids: list[int] = []
        prev_end: tuple[int, int] | None = None
        for t, s, start, end in lexemes:
            if t in _LAYOUT_TYPES:
                ids.append(self.index(_LAYOUT_TYPES[t]))
                prev_end = None
                continue
            pieces = self._pieces(s)
            if prev_end is not None and start != prev_end:  # the source had whitespace here
                a, b = ids[-1], pieces[0]
                glue = self._word[a] and self._word[b] and not self.space_between(a, b)
                if glue or (explicit_spaces and not self.space_between(a, b)):
                    ids.append(self.space_id)
            ids.extend(pieces)
            prev_end = end
        while ids and ids[-1] in (self.newline_id, self.dedent_id):
            ids.pop()
        return ids

    def encode_text(self, text: str) -> np.ndarray:
        """Ids of free text (a problem prompt) for observations: words and punctuation.

        Lossy on purpose: indentation and spaces the decoder would restore are dropped,
        characters outside the vocabulary become ``?``. Lines end with ``<NEWLINE>``.
        """
        ids: list[int] = []
        unknown = self.index("?")
        last_end = 0
        for match in _TEXT_PIECES.finditer(text):
            piece = match.group()
            if piece == "\n":
                ids.append(self.newline_id)
            else:
                pieces = [self.index(piece)] if piece in self else [self._index.get(c, unknown) for c in piece]
                gap = match.start() > last_end and ids and ids[-1] != self.newline_id
                if gap and self._word[ids[-1]] and self._word[pieces[0]] and not self.space_between(ids[-1], pieces[0]):
                    ids.append(self.space_id)
                ids.extend(pieces)
            last_end = match.end()
        return np.asarray(ids, dtype=np.int64)

    def decode_text(self, ids: np.ndarray | list[int]) -> str:
        """Readable text of :meth:`encode_text` ids (lines not indented)."""
        return self.decode_body(ids, depth=0)

    def data_checksum(self) -> str:
        return hashlib.sha256(VOCAB_PATH.read_bytes()).hexdigest()[:16]


@functools.cache
def load_python_vocab() -> PythonVocabulary:
    """The shipped vocabulary (``data/python_vocab.json``), loaded once per process."""
    if not VOCAB_PATH.exists():
        raise FileNotFoundError(f"{VOCAB_PATH} is missing; rebuild it with: python -m genenvs.code.data.build_vocab")
    return PythonVocabulary.load(VOCAB_PATH)


__all__ = ["DEDENT", "INDENT", "NEWLINE", "SPACE", "PythonVocabulary", "load_python_vocab"]
