"""The shipped NAS-Bench-style table: every architecture of the space, trained once.

``nas_table.json`` (built by ``python -m genenvs.nas.data.build_table``) holds one row per
architecture of the default :class:`~genenvs.nas.space.SearchSpace`: validation accuracy
after each epoch, test accuracy, final training loss, parameters and MACs. Loading checks
the file's SHA-256 against ``manifest.json`` and that the table was trained with the
current :class:`~genenvs.nas.training.TrainingConfig`, so a stale table fails loudly
instead of silently scoring with another protocol.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from genenvs.nas.protocol import TrainingConfig

DATA = Path(__file__).resolve().parent / "data"
TABLE_PATH = DATA / "nas_table.json"
MANIFEST_PATH = DATA / "manifest.json"
REBUILD = "OMP_NUM_THREADS=1 python -m genenvs.nas.data.build_table"


@dataclasses.dataclass(frozen=True)
class TableRow:
    """One trained architecture. ``valid_curve[e]``: validation accuracy after epoch ``e + 1``."""

    arch: str
    valid_accuracy: float
    valid_curve: tuple[float, ...]
    test_accuracy: float
    train_loss: float | None
    num_params: int
    num_macs: int
    train_seconds: float

    def accuracy_at(self, epochs: int) -> float:
        """Validation accuracy after ``epochs`` epochs (the multi-fidelity view)."""
        if not 1 <= epochs <= len(self.valid_curve):
            raise ValueError(f"the table records epochs 1..{len(self.valid_curve)}, got epochs={epochs}")
        return self.valid_curve[epochs - 1]


class NASTable:
    """Lookup of trained architectures by their canonical token string."""

    def __init__(self, header: dict[str, Any], rows: list[TableRow], sha256: str) -> None:
        self.header = header
        self.rows = {row.arch: row for row in rows}
        self.sha256 = sha256

    @classmethod
    def load(cls, path: str | Path = TABLE_PATH, verify: bool = True) -> NASTable:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"NAS table {path} is missing; rebuild it with `{REBUILD}`")
        blob = path.read_bytes()
        digest = hashlib.sha256(blob).hexdigest()
        if verify and path == TABLE_PATH:
            expected = json.loads(MANIFEST_PATH.read_text())[path.name]["sha256"]
            if digest != expected:
                raise ValueError(f"{path} has SHA-256 {digest[:16]}..., manifest.json records {expected[:16]}...; rebuild with `{REBUILD}`")
        data = json.loads(blob)
        if verify and data["training_checksum"] != TrainingConfig().checksum():
            raise ValueError(
                f"{path} was trained with {data['training']}, but the current TrainingConfig is "
                f"{TrainingConfig().as_dict()}; rebuild with `{REBUILD}`"
            )
        columns = data["columns"]
        rows = []
        for values in data["rows"]:
            row = dict(zip(columns, values))
            row["valid_curve"] = tuple(row["valid_curve"])
            rows.append(TableRow(**row))
        header = {k: v for k, v in data.items() if k != "rows"}
        return cls(header, rows, digest)

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, arch: object) -> bool:
        return str(arch) in self.rows

    def __getitem__(self, arch: object) -> TableRow:
        try:
            return self.rows[str(arch)]
        except KeyError:
            raise KeyError(f"architecture {str(arch)!r} is not in the table ({len(self)} rows)") from None

    @property
    def epochs(self) -> int:
        return int(self.header["training"]["epochs"])

    def best(self, k: int = 1, epochs: int | None = None) -> list[TableRow]:
        """The ``k`` rows of highest validation accuracy (ties broken by fewer parameters)."""
        e = epochs or self.epochs
        return sorted(self.rows.values(), key=lambda r: (-r.accuracy_at(e), r.num_params, r.arch))[:k]


@functools.lru_cache(maxsize=1)
def default_table() -> NASTable:
    """The shipped table, loaded and verified once per process."""
    return NASTable.load()


def table_checksum() -> str:
    """SHA-256 prefix of the shipped table as recorded in the manifest (no full load)."""
    return json.loads(MANIFEST_PATH.read_text())[TABLE_PATH.name]["sha256"][:16]
