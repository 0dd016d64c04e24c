"""Entry points of the token-level molecule environments (MolGen-v0, MolSmiles-v0).

Keyword arguments accepted by ``gym.make`` / ``gym.make_vec``:

* ``objective`` (default ``"qed"``): any name from :func:`genenvs.molecule.list_objectives`;
* ``objective_kwargs``: parameters of parametrised objectives;
* ``max_heavy_atoms`` (default 38, the ZINC250k / GCPN cap; ``None`` lifts it);
* ``kl_coef`` (default 0): adds ``kl_coef * log p_prior(a_t | s_t)`` per token, from the
  shipped GRU prior, as the ``kl_prior`` reward component;
* ``granularity`` (``"token"`` or ``"sample"``), ``render_mode`` (``"ansi"``,
  ``"rgb_array"``), ``on_invalid_action``, and for vector envs ``autoreset_mode``.
"""

from __future__ import annotations

from typing import Any

from genenvs.core.factory import entry_points
from genenvs.molecule.tasks import DEFAULT_MAX_HEAVY_ATOMS, MoleculeTask


def _builder(kind: str):
    def build(objective: str = "qed", max_heavy_atoms: int | None = DEFAULT_MAX_HEAVY_ATOMS, kl_coef: float = 0.0, objective_kwargs: dict[str, Any] | None = None):
        task = MoleculeTask(kind, objective, max_heavy_atoms, objective_kwargs)
        step_scorers = []
        if kl_coef:
            from genenvs.rewards.kl_control import KLControl  # torch, only when the prior is used

            step_scorers.append(KLControl.from_file(task.reference_model_path(), beta=kl_coef))
        return task, step_scorers

    build.__doc__ = __doc__
    return build


make_molgen, make_molgen_vec = entry_points(_builder("selfies"))
make_molsmiles, make_molsmiles_vec = entry_points(_builder("smiles"))
