"""Shipped models of the image domain and the scripts that rebuilt them.

Each training script writes its model file and records it in ``manifest.json``: the
SHA-256 of the file, the command that rebuilds it, the training data checksum and the
numbers measured after training. Rebuild order: ``train_classifier`` (the DDPM script
evaluates its samples with it), ``train_ddpm``, ``train_preference``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent
MANIFEST = DATA / "manifest.json"


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}


def record_model(filename: str, command: str, report: dict[str, Any]) -> None:
    """Add or replace ``filename``'s entry in ``manifest.json`` (checksum, command, report)."""
    manifest = read_manifest()
    path = DATA / filename
    manifest[filename] = {"sha256": sha256_of(path), "bytes": path.stat().st_size, "command": command, **report}
    MANIFEST.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
