"""Train every architecture of the NASGen-v0 search space once and write the table.

    OMP_NUM_THREADS=1 python -m genenvs.nas.data.build_table [--workers 1]

NAS-Bench style (Ying et al., 2019; Dong & Yang, 2020): the environment's default reward
is a lookup in this table, so a search costs microseconds per architecture and every
result is reproducible. Each row is one deterministic CPU run of
:func:`genenvs.nas.training.train_architecture` with the default
:class:`~genenvs.nas.training.TrainingConfig`. Progress is appended to
``nas_table.partial.jsonl`` so an interrupted build resumes where it stopped; the finished
table is ``nas_table.json`` and its SHA-256 goes to ``manifest.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent
TABLE = DATA / "nas_table.json"
PARTIAL = DATA / "nas_table.partial.jsonl"
MANIFEST = DATA / "manifest.json"
COMMAND = "OMP_NUM_THREADS=1 python -m genenvs.nas.data.build_table"
FORMAT = "genenvs-nas-table/1"
COLUMNS = ["arch", "valid_accuracy", "valid_curve", "test_accuracy", "train_loss", "num_params", "num_macs", "train_seconds"]


def _train_row(text: str) -> list:
    import torch

    from genenvs.nas.space import SearchSpace
    from genenvs.nas.training import train_architecture

    torch.set_num_threads(1)
    arch = SearchSpace().parse(text)
    r = train_architecture(arch)
    loss = r.train_loss if math.isfinite(r.train_loss) else None
    return [text, r.valid_accuracy, list(r.valid_curve), r.test_accuracy, loss, r.num_params, arch.num_macs(), round(r.seconds, 4)]


def _done_rows() -> dict[str, list]:
    rows = {}
    if PARTIAL.exists():
        for line in PARTIAL.read_text().splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row[0]] = row
    return rows


def build(workers: int = 1) -> dict:
    import sklearn
    import torch

    from genenvs.nas.space import SearchSpace
    from genenvs.nas.training import TrainingConfig, data_checksum

    space = SearchSpace()
    archs = [str(a) for a in space.architectures()]
    rows = _done_rows()
    todo = [a for a in archs if a not in rows]
    print(f"{len(archs)} architectures, {len(rows)} already trained, {len(todo)} to go", flush=True)
    start = time.perf_counter()
    with PARTIAL.open("a") as out:
        if workers > 1:
            with ProcessPoolExecutor(workers) as pool:
                results = pool.map(_train_row, todo, chunksize=8)
                for i, row in enumerate(results, 1):
                    _record(out, rows, row, i, len(todo), start)
        else:
            for i, text in enumerate(todo, 1):
                _record(out, rows, _train_row(text), i, len(todo), start)
    table = {
        "format": FORMAT,
        "description": "Validation/test accuracy of every NASGen-v0 architecture trained once on scikit-learn's digits",
        "command": COMMAND,
        "space": {"optimizers": space.optimizers, "widths": space.widths, "kernels": space.kernels, "activations": space.activations, "max_layers": space.max_layers, "size": space.size()},
        "training": TrainingConfig().as_dict(),
        "training_checksum": TrainingConfig().checksum(),
        "data_checksum": data_checksum(),
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__, "python": platform.python_version()},
        "machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine()},
        "total_train_seconds": round(sum(rows[a][-1] for a in archs), 1),
        "columns": COLUMNS,
        "rows": [rows[a] for a in archs],
    }
    TABLE.write_text(json.dumps(table, separators=(",", ":")) + "\n")
    digest = hashlib.sha256(TABLE.read_bytes()).hexdigest()
    MANIFEST.write_text(json.dumps({TABLE.name: {"sha256": digest, "rows": len(archs), "command": COMMAND}}, indent=2) + "\n")
    PARTIAL.unlink()
    print(f"wrote {TABLE} ({len(archs)} rows, sha256 {digest[:16]}) in {time.perf_counter() - start:.0f} s", flush=True)
    return table


def _record(out, rows: dict, row: list, i: int, total: int, start: float) -> None:
    rows[row[0]] = row
    out.write(json.dumps(row) + "\n")
    out.flush()
    if i % 50 == 0 or i == total:
        elapsed = time.perf_counter() - start
        print(f"{i}/{total} trained, {elapsed:.0f} s elapsed, ~{elapsed / i * (total - i):.0f} s to go", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="training processes (results do not depend on it)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    build(args.workers)


if __name__ == "__main__":
    main()
