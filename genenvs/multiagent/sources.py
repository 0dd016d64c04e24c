"""Where the games' real samples and referents come from: the domains' shipped data.

* :class:`SampleCorpus` (adversarial_v0): real samples of a generation domain as token ids
  in that domain's vocabulary, and the decoder of generated ids. ``"molecule"`` uses
  MolGen-v0's SELFIES vocabulary and MOSES training molecules
  (:mod:`genenvs.molecule.data`), ``"molecule_smiles"`` the SMILES vocabulary of
  MolSmiles-v0, ``"text"`` the text domain's shipped tokenizer and corpus.
* :class:`ReferentSet` (referential_v0): feature vectors of things to talk about.
  ``"digits"`` are scikit-learn's 8x8 handwritten digits (shipped with scikit-learn),
  ``"molecules"`` folded Morgan fingerprints of MOSES training molecules.

Nothing is downloaded; everything is read from files shipped with genenvs or scikit-learn.
"""

from __future__ import annotations

import functools
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np

from genenvs.core.vocab import Vocabulary

#: How many draws :meth:`SampleCorpus.real_ids` tries before declaring ``max_length`` too short.
_MAX_DRAWS = 1000


# ====================================================================== real samples
class SampleCorpus(ABC):
    """Real samples of one domain, in the token ids its generator emits."""

    name: str
    vocab: Vocabulary
    #: The domain's own length limit (tokens, without ``<end>``).
    max_length: int

    @abstractmethod
    def _draw(self, rng: np.random.Generator) -> np.ndarray | None:
        """Ids (no ``<end>``) of one uniformly drawn real sample, or ``None`` if it cannot be encoded."""

    @abstractmethod
    def decode(self, ids: np.ndarray) -> tuple[str, bool]:
        """``(sample, valid)`` of generated ids (no ``<end>``)."""

    @abstractmethod
    def identity(self) -> dict[str, Any]: ...

    def real_ids(self, rng: np.random.Generator, max_length: int) -> np.ndarray:
        """One real sample of at most ``max_length`` tokens (longer ones are redrawn)."""
        for _ in range(_MAX_DRAWS):
            ids = self._draw(rng)
            if ids is not None and 0 < len(ids) <= max_length:
                return ids
        raise ValueError(f"max_length={max_length} is too short for the {self.name!r} corpus: {_MAX_DRAWS} draws found no real sample that fits")


class MoleculeCorpus(SampleCorpus):
    """MOSES training molecules (``genenvs/molecule/data/train.smi.gz``) as SELFIES or SMILES tokens."""

    def __init__(self, kind: str = "selfies") -> None:
        from genenvs.molecule.data.build_vocab import load_smiles
        from genenvs.molecule.tasks import MoleculeTask

        self.task = MoleculeTask(kind)
        self.name = "molecule" if kind == "selfies" else f"molecule_{kind}"
        self.vocab, self.max_length = self.task.vocab, self.task.max_length
        self.smiles = load_smiles("train")

    def _draw(self, rng: np.random.Generator) -> np.ndarray | None:
        try:
            return self.task.encode(self.smiles[int(rng.integers(len(self.smiles)))])[:-1]
        except ValueError:
            return None

    def decode(self, ids: np.ndarray) -> tuple[str, bool]:
        from genenvs.core.task import Context

        return self.task.decode(np.asarray(ids), Context())

    def identity(self) -> dict[str, Any]:
        return {"corpus": self.name, "train.smi.gz": _molecule_data_sha256(), "vocab": self.vocab.checksum()}


@functools.cache
def _molecule_data_sha256() -> str:
    from genenvs.molecule.vocab import DATA

    return hashlib.sha256((DATA / "train.smi.gz").read_bytes()).hexdigest()[:16]


class TextCorpus(SampleCorpus):
    """Sentences of the text domain's training corpus, in its shipped tokenizer's ids."""

    name = "text"

    def __init__(self) -> None:
        from genenvs.text.corpus import load_sentences
        from genenvs.text.vocab import shipped_tokenizer

        self.tokenizer = shipped_tokenizer()
        self.vocab = self.tokenizer.vocab
        self.sentences = [self.tokenizer.encode(s) for s in load_sentences("train")]
        self.max_length = max(len(ids) for ids in self.sentences)

    def _draw(self, rng: np.random.Generator) -> np.ndarray | None:
        return self.sentences[int(rng.integers(len(self.sentences)))]

    def decode(self, ids: np.ndarray) -> tuple[str, bool]:
        text = self.tokenizer.decode(np.asarray(ids))
        return text, bool(text.strip())

    def identity(self) -> dict[str, Any]:
        from genenvs.text.vocab import DATA

        data = hashlib.sha256((DATA / "corpus_train.txt.gz").read_bytes()).hexdigest()[:16]
        return {"corpus": self.name, "corpus_train.txt.gz": data, "tokenizer": self.tokenizer.identity()}


def text_available() -> bool:
    """Whether the text domain ships what adversarial_v0 needs (a tokenizer and a corpus)."""
    try:
        from genenvs.text.corpus import load_sentences
        from genenvs.text.vocab import shipped_tokenizer

        shipped_tokenizer()
        return len(load_sentences("train")) > 0
    except (ImportError, OSError, LookupError, ValueError, AttributeError, TypeError):
        return False  # the text domain is absent or incompatible: adversarial_v0 offers molecules only


CORPORA: dict[str, Callable[[], SampleCorpus]] = {
    "molecule": lambda: MoleculeCorpus("selfies"),
    "molecule_smiles": lambda: MoleculeCorpus("smiles"),
    "text": TextCorpus,
}


@functools.lru_cache(maxsize=None)
def load_corpus(name: str) -> SampleCorpus:
    """The shared :class:`SampleCorpus` called ``name`` (loaded once per process)."""
    if name not in CORPORA:
        raise ValueError(f"unknown domain {name!r}; choose one of {sorted(CORPORA)}")
    if name == "text" and not text_available():
        raise ValueError("domain='text' needs the text domain's tokenizer and corpus (genenvs.text), which are not available in this installation")
    return CORPORA[name]()


# ====================================================================== referents
class ReferentSet(ABC):
    """Things a speaker can describe: a target plus distractors, as feature vectors."""

    name: str
    #: Length of one feature vector.
    dim: int

    @abstractmethod
    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[str]]:
        """``n`` pairwise distinct referents as ``float32`` rows in ``[0, 1]`` (row 0 is the
        target) and a short description of each for transcripts."""

    @abstractmethod
    def identity(self) -> dict[str, Any]: ...

    #: Largest number of candidates :meth:`draw` can return.
    max_candidates: int = 1_000_000


class DigitImages(ReferentSet):
    """scikit-learn's 1,797 handwritten digits (8x8 pixels, 0..16) scaled to ``[0, 1]``.

    The candidates of a game show different digits (distinct classes), so a speaker can
    succeed by naming the class; the images vary in handwriting, so it must recognise it.
    """

    name = "digits"
    dim = 64
    max_candidates = 10

    def __init__(self) -> None:
        from sklearn.datasets import load_digits

        digits = load_digits()
        self.images = (digits.data / 16.0).astype(np.float32)
        self.labels = digits.target.astype(np.int64)
        self._by_label = [np.flatnonzero(self.labels == c) for c in range(10)]

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[str]]:
        classes = rng.choice(10, size=n, replace=False)
        rows = np.array([rng.choice(self._by_label[c]) for c in classes])
        return self.images[rows], [f"digit {c} (image {r})" for c, r in zip(classes, rows)]

    def identity(self) -> dict[str, Any]:
        return {"referents": self.name, "sha256": hashlib.sha256(self.images.tobytes()).hexdigest()[:16]}


class MoleculeFingerprints(ReferentSet):
    """MOSES training molecules as folded Morgan fingerprints (radius 2, ``n_bits`` bits)."""

    name = "molecules"

    def __init__(self, n_bits: int = 256) -> None:
        from genenvs.molecule.data.build_vocab import load_smiles

        if n_bits < 8:
            raise ValueError(f"fingerprint_bits must be at least 8, got {n_bits}")
        self.dim = int(n_bits)
        self.smiles = load_smiles("train")

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one fingerprint per molecule, shared by the games
    def fingerprint(self, index: int) -> np.ndarray:
        from genenvs.molecule.fingerprints import morgan_bits_array
        from genenvs.molecule.properties import mol_from_smiles

        return morgan_bits_array(mol_from_smiles(self.smiles[index]), radius=2, n_bits=self.dim).astype(np.float32)

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, list[str]]:
        rows: list[np.ndarray] = []
        names: list[str] = []
        while len(rows) < n:
            index = int(rng.integers(len(self.smiles)))
            fp = self.fingerprint(index)
            if not any(np.array_equal(fp, other) for other in rows):
                rows.append(fp)
                names.append(self.smiles[index])
        return np.stack(rows), names

    def identity(self) -> dict[str, Any]:
        return {"referents": self.name, "n_bits": self.dim, "radius": 2, "train.smi.gz": _molecule_data_sha256()}


REFERENTS: dict[str, Callable[..., ReferentSet]] = {"digits": DigitImages, "molecules": MoleculeFingerprints}


@functools.lru_cache(maxsize=None)
def load_referents(name: str, **kwargs: Any) -> ReferentSet:
    if name not in REFERENTS:
        raise ValueError(f"unknown referents {name!r}; choose one of {sorted(REFERENTS)}")
    return REFERENTS[name](**kwargs)


__all__ = [
    "CORPORA",
    "REFERENTS",
    "DigitImages",
    "MoleculeCorpus",
    "MoleculeFingerprints",
    "ReferentSet",
    "SampleCorpus",
    "TextCorpus",
    "load_corpus",
    "load_referents",
    "text_available",
]
