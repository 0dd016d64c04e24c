"""Build ``python_vocab.json``, the CodeGen-v0 vocabulary, from the bundled problems.

The vocabulary is derived, not hand-picked, except for two short lists of general Python
knowledge (common builtins and ``str``/``list``/``dict`` methods). In id order:

1. ``<end>`` (id 0, added by :class:`~genenvs.core.vocab.Vocabulary`), the layout tokens
   ``<NEWLINE> <INDENT> <DEDENT>`` and every printable ASCII character (the fallback that
   makes any ASCII program expressible; ``" "`` is the explicit space);
2. every Python keyword and every operator/delimiter of ``token.EXACT_TOKEN_TYPES``;
3. :data:`BUILTINS` and :data:`METHODS`;
4. identifiers of the problem signatures (parameter and type names) and identifiers used
   by at least ``MIN_PROBLEMS`` reference solutions (counted once per problem);
5. the integers 0..16 and number literals used by at least ``MIN_PROBLEMS`` references;
6. string literals used by at least ``MIN_PROBLEMS`` references;
7. words used in at least ``MIN_DESCRIPTION_PROBLEMS`` problem descriptions (prompts are
   observations; whole words keep them short).

It also records the default lengths of CodeGen-v0: ``max_length`` (the longest bundled
reference body, ``<end>`` included, rounded up to a multiple of 32) and
``max_prompt_length`` (the longest bundled prompt, rounded up likewise).

Symbols appear once, at their first category. Rebuild (deterministic) with::

    python -m genenvs.code.data.build_vocab
"""

from __future__ import annotations

import hashlib
import io
import json
import keyword
import re
import textwrap
import token
import tokenize
from collections import Counter
from pathlib import Path

from genenvs.code.problems import BUNDLED_PATH, load_problems, problem_prompt

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "python_vocab.json"
MIN_PROBLEMS = 2
MIN_DESCRIPTION_PROBLEMS = 3
SMALL_INTEGERS = range(17)
#: Default lengths are the longest bundled reference body / prompt rounded up to this.
LENGTH_MULTIPLE = 32

BUILTINS = (
    "abs", "all", "any", "bin", "bool", "chr", "dict", "divmod", "enumerate", "filter", "float", "frozenset",
    "hex", "int", "isinstance", "iter", "len", "list", "map", "max", "min", "next", "ord", "pow", "print",
    "range", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip",
    "collections", "Counter", "defaultdict", "deque", "heapq", "math", "itertools", "functools",
)
METHODS = (
    "append", "extend", "insert", "pop", "remove", "index", "count", "sort", "reverse", "copy",
    "keys", "values", "items", "get", "setdefault", "update", "add", "discard",
    "join", "split", "strip", "lstrip", "rstrip", "lower", "upper", "startswith", "endswith", "replace",
    "find", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower",
)


def _lexemes(source: str) -> list[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(source).readline))


def _round_up(n: int, multiple: int) -> int:
    return -(-n // multiple) * multiple


def main() -> None:
    # imported here so that the character/layout constants come from one place
    from genenvs.code.vocab import CHARACTERS, LAYOUT, PythonVocabulary

    problems = load_problems("bundled")
    names: Counter[str] = Counter()
    numbers: Counter[str] = Counter()
    strings: Counter[str] = Counter()
    words: Counter[str] = Counter()
    signature_names: set[str] = set()
    for p in problems:
        seen: set[tuple[int, str]] = set()
        for tok in _lexemes(textwrap.dedent(p.reference_solution)):
            if tok.type in (tokenize.NAME, tokenize.NUMBER, tokenize.STRING) and not keyword.iskeyword(tok.string):
                seen.add((tok.type, tok.string))
        for tok_type, text in seen:
            {tokenize.NAME: names, tokenize.NUMBER: numbers, tokenize.STRING: strings}[tok_type][text] += 1
        for tok in _lexemes(p.signature + "\n    pass\n"):
            if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string) and tok.string != p.entry_point:
                signature_names.add(tok.string)
        words.update(set(re.findall(r"\w+", p.description, re.ASCII)))

    def frequent(counter: Counter[str], minimum: int) -> list[str]:
        return sorted((t for t, c in counter.items() if c >= minimum), key=lambda t: (-counter[t], t))

    groups = {
        "layout_and_characters": [*LAYOUT, *CHARACTERS],
        "keywords": list(keyword.kwlist),
        "operators": sorted(token.EXACT_TOKEN_TYPES),
        "builtins_and_methods": [*BUILTINS, *METHODS],
        "identifiers": sorted(signature_names) + frequent(names, MIN_PROBLEMS),
        "numbers": [str(i) for i in SMALL_INTEGERS] + frequent(numbers, MIN_PROBLEMS),
        "strings": frequent(strings, MIN_PROBLEMS),
        "description_words": frequent(words, MIN_DESCRIPTION_PROBLEMS),
    }
    symbols: list[str] = []
    sizes = {}
    for name, group in groups.items():
        before = len(symbols)
        symbols.extend(s for s in dict.fromkeys(group) if s not in set(symbols))
        sizes[name] = len(symbols) - before
    vocab = PythonVocabulary(symbols)  # validates (layout tokens and characters present, no duplicates)
    longest_body = max(len(vocab.encode_body(p.reference_solution)) for p in problems)
    longest_prompt = max(len(vocab.encode_text(problem_prompt(p))) for p in problems)

    spec = {
        "tokens": list(vocab.tokens[1:]),
        "size": len(vocab),
        "max_length": _round_up(longest_body + 1, LENGTH_MULTIPLE),
        "max_prompt_length": _round_up(longest_prompt, LENGTH_MULTIPLE),
        "longest_reference_tokens": longest_body,
        "longest_prompt_tokens": longest_prompt,
        "groups": sizes,
        "min_problems": MIN_PROBLEMS,
        "min_description_problems": MIN_DESCRIPTION_PROBLEMS,
        "source": "problems.json",
        "source_sha256": hashlib.sha256(BUNDLED_PATH.read_bytes()).hexdigest(),
    }
    OUTPUT.write_text(json.dumps(spec, indent=0) + "\n")
    print(f"{len(vocab)} tokens ({sizes}) -> {OUTPUT}")


if __name__ == "__main__":
    main()
