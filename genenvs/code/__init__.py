"""Code domain: CodeGen-v0 (Python bodies, unit tests in the sandbox) and CodeDSL-v0 (DSL by example).

Modules: ``problems`` (the bundled problems and HumanEval), ``sandbox`` (isolated
execution), ``vocab`` (the Python vocabulary), ``dsl`` and ``dsl_tasks`` (CodeDSL),
``rewards`` (CodeRL / RLTF / pass-rate rewards), ``tasks`` (the two token tasks), ``env``
(entry points). Attributes load lazily so that ``import genenvs`` stays light.
"""

from __future__ import annotations

from genenvs.core.lazy import lazy_attributes

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


__getattr__ = lazy_attributes(__name__, _LAZY)
