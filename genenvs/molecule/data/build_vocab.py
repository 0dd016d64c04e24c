"""Derive the SELFIES and SMILES vocabularies and length limits from the training set.

The maximum length is the longest training molecule plus a small margin, so every
training molecule can be generated. Run:  python -m genenvs.molecule.data.build_vocab
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import selfies as sf

from genenvs.molecule.vocab import tokenize_selfies, tokenize_smiles

HERE = Path(__file__).resolve().parent
MARGIN = 8


def load_smiles(split: str) -> list[str]:
    return gzip.decompress((HERE / f"{split}.smi.gz").read_bytes()).decode().split()


def main() -> None:
    smiles = load_smiles("train")
    for kind, tokenize, convert in (
        ("smiles", tokenize_smiles, lambda s: s),
        ("selfies", tokenize_selfies, sf.encoder),
    ):
        counts: Counter[str] = Counter()
        longest = 0
        for s in smiles:
            tokens = tokenize(convert(s))
            counts.update(tokens)
            longest = max(longest, len(tokens))
        tokens = sorted(counts, key=lambda t: (-counts[t], t))
        spec = {"tokens": tokens, "max_length": longest + MARGIN, "longest_training_molecule": longest, "source": "train.smi.gz"}
        (HERE / f"{kind}_vocab.json").write_text(json.dumps(spec, indent=1) + "\n")
        print(f"{kind}: {len(tokens)} tokens, longest molecule {longest} tokens, max_length {longest + MARGIN}")


if __name__ == "__main__":
    main()
