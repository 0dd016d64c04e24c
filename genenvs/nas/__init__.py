"""NAS domain: NASGen-v0, neural architecture search as sequence generation.

Public API: ``SearchSpace``, ``Architecture``, ``Layer`` (the search space and its token
grammar), ``train_architecture`` and ``TrainingConfig`` (deterministic training on
digits), ``NASTable`` / ``default_table`` (the shipped table of every architecture),
``NASTask``. Attributes load lazily so ``import genenvs`` does not import torch.
"""

from __future__ import annotations

from genenvs.core.lazy import lazy_attributes

_LAZY = {
    "SearchSpace": "genenvs.nas.space",
    "Architecture": "genenvs.nas.space",
    "Layer": "genenvs.nas.space",
    "ArchitectureGrammar": "genenvs.nas.grammar",
    "TrainingConfig": "genenvs.nas.protocol",
    "TrainingResult": "genenvs.nas.protocol",
    "train_architecture": "genenvs.nas.training",
    "NASTable": "genenvs.nas.table",
    "default_table": "genenvs.nas.table",
    "NASTask": "genenvs.nas.tasks",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_attributes(__name__, _LAZY)
