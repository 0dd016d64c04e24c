"""Code domain: CodeGen-v0 (Python bodies, unit tests in the sandbox) and CodeDSL-v0 (DSL by example).

Modules: ``problems`` (the bundled problems and HumanEval), ``sandbox`` (isolated
execution), ``vocab`` (the Python vocabulary), ``dsl`` and ``dsl_tasks`` (CodeDSL),
``rewards`` (CodeRL / RLTF / pass-rate rewards), ``tasks`` (the two token tasks), ``env``
(entry points). Attributes load lazily so that ``import genenvs`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "CodeGenTask": "genenvs.code.tasks",
    "CodeDSLTask": "genenvs.code.tasks",
    "select_problems": "genenvs.code.tasks",
    "REWARDS": "genenvs.code.rewards",
    "Verdict": "genenvs.code.rewards",
    "SandboxReward": "genenvs.code.rewards",
    "DSLReward": "genenvs.code.rewards",
    "load_python_vocab": "genenvs.code.vocab",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'genenvs.code' has no attribute {name!r}")
