"""NAS domain: NASGen-v0, neural architecture search as sequence generation.

Public API: ``SearchSpace``, ``Architecture``, ``Layer`` (the search space and its token
grammar), ``train_architecture`` and ``TrainingConfig`` (deterministic training on
digits), ``NASTable`` / ``default_table`` (the shipped table of every architecture),
``NASTask``. Attributes load lazily so ``import genenvs`` does not import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "SearchSpace": "genenvs.nas.space",
    "Architecture": "genenvs.nas.space",
    "Layer": "genenvs.nas.space",
    "ArchitectureGrammar": "genenvs.nas.grammar",
    "TrainingConfig": "genenvs.nas.training",
    "TrainingResult": "genenvs.nas.training",
    "train_architecture": "genenvs.nas.training",
    "NASTable": "genenvs.nas.table",
    "default_table": "genenvs.nas.table",
    "NASTask": "genenvs.nas.tasks",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'genenvs.nas' has no attribute {name!r}")
