"""Rebuild the shipped molecule subset from the MOSES data set.

MOSES (Polykovskiy et al., 2020; ZINC Clean Leads, MIT licence) ships inside the
``molsets`` wheel on PyPI. This script fetches that wheel explicitly (``pip download``,
no dependencies), checks its SHA-256, draws a seeded subset of the training split and of
the test split, and writes::

    genenvs/molecule/data/train.smi.gz   training molecules (one SMILES a line)
    genenvs/molecule/data/test.smi.gz    held-out molecules (for novelty / NLL)
    genenvs/molecule/data/manifest.json  source, checksums, sizes, seed

Run:  python -m genenvs.molecule.data.build_dataset [--wheel PATH]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WHEEL = "molsets==0.3.1"
WHEEL_SHA256 = "7f4450e3ebecebe79c3a2a55950c93daddee071120daf64a163d03481e811d34"
MEMBERS = {"train": "moses/dataset/data/train.csv.gz", "test": "moses/dataset/data/test.csv.gz"}
SIZES = {"train": 40_000, "test": 2_000}
SEED = 20261124


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_wheel(dest: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(dest), WHEEL], check=True)
    return next(dest.glob("molsets-*.whl"))


def read_split(wheel: zipfile.ZipFile, member: str) -> tuple[list[str], str]:
    raw = wheel.read(member)
    lines = gzip.decompress(raw).decode().splitlines()
    if lines[0].strip().upper() != "SMILES":
        raise ValueError(f"unexpected header {lines[0]!r} in {member}")
    return [s.strip() for s in lines[1:] if s.strip()], sha256(raw)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wheel", type=Path, help="a molsets-0.3.1 wheel already on disk")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = args.wheel or fetch_wheel(Path(tmp))
        blob = wheel_path.read_bytes()
        if sha256(blob) != WHEEL_SHA256:
            raise SystemExit(f"checksum mismatch for {wheel_path}: expected {WHEEL_SHA256}, got {sha256(blob)}")
        wheel = zipfile.ZipFile(io.BytesIO(blob))
        manifest = {"source": f"MOSES via PyPI wheel {WHEEL}", "licence": "MIT", "wheel_sha256": WHEEL_SHA256, "seed": SEED, "files": {}}
        rng = np.random.default_rng(SEED)
        for split, member in MEMBERS.items():
            smiles, member_sha = read_split(wheel, member)
            pick = np.sort(rng.choice(len(smiles), size=SIZES[split], replace=False))
            subset = [smiles[i] for i in pick]
            payload = ("\n".join(subset) + "\n").encode()
            out = HERE / f"{split}.smi.gz"
            out.write_bytes(gzip.compress(payload, mtime=0))
            manifest["files"][out.name] = {
                "member": member,
                "member_sha256": member_sha,
                "source_rows": len(smiles),
                "rows": len(subset),
                "sha256": sha256(payload),
            }
            print(f"{split}: {len(subset)} of {len(smiles)} molecules -> {out}")
        (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
