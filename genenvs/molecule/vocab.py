"""Molecule tokenisers and the shipped vocabularies.

* SMILES: the regular expression REINVENT uses (Olivecrona et al., 2017): bracket atoms
  (``[nH]``, ``[C@@H]``), two-letter halogens ``Br``/``Cl`` and two-digit ring closures
  ``%12`` are single tokens, every other character is its own token.
* SELFIES (Krenn et al., 2020): one token per bracketed symbol; every sequence decodes to
  a valid molecule, which is why MolGen-v0 uses it.

The vocabularies and length limits are derived from the shipped training molecules by
``python -m genenvs.molecule.data.build_vocab`` and stored next to the data.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import selfies as sf

from genenvs.core.vocab import Vocabulary

DATA = Path(__file__).resolve().parent / "data"

SMILES_REGEX = re.compile(r"(\[[^\]]+\]|Br|Cl|%\d{2}|[BCNOPSFIbcnops]|\(|\)|\.|=|#|-|\+|\\|/|:|~|@|\?|>|\*|\$|\d)")


def tokenize_smiles(smiles: str) -> list[str]:
    """Split a SMILES string into REINVENT tokens; raises ``ValueError`` on leftovers."""
    tokens = SMILES_REGEX.findall(smiles)
    if "".join(tokens) != smiles:
        raise ValueError(f"SMILES {smiles!r} contains characters the tokenizer does not know")
    return tokens


def tokenize_selfies(selfies: str) -> list[str]:
    return list(sf.split_selfies(selfies))


@functools.lru_cache(maxsize=None)
def load_vocab(kind: str) -> tuple[Vocabulary, int]:
    """The shipped vocabulary for ``"selfies"`` or ``"smiles"`` and its maximum length."""
    if kind not in ("selfies", "smiles"):
        raise ValueError(f"vocabulary kind must be 'selfies' or 'smiles', got {kind!r}")
    spec = json.loads((DATA / f"{kind}_vocab.json").read_text())
    return Vocabulary(spec["tokens"]), int(spec["max_length"])
