"""Entry points of NASGen-v0 (token level, sample level, native vector env).

Keyword arguments accepted by ``gym.make`` / ``gym.make_vec``:

* ``max_layers`` (default 2): depth limit 1..4; above 2 requires ``live=True``;
* ``live`` (default False): train each new architecture now instead of reading the table;
* ``device`` (``"cpu"`` or ``"cuda"``, live only) and ``cache_path`` (live only);
* ``epochs`` (default 4): training epochs behind the accuracy (table: 1..4);
* ``param_coef``, ``macs_coef`` (default 0): weights of the parameter / MAC costs;
* ``granularity`` (``"token"`` or ``"sample"``), ``render_mode`` (``"ansi"``,
  ``"rgb_array"``), ``on_invalid_action``, ``action_type`` (sample level: ``"tokens"`` or
  ``"text"``), and for vector envs ``autoreset_mode``.
"""

from __future__ import annotations

from genenvs.core.factory import entry_points
from genenvs.nas.tasks import TABLE_MAX_LAYERS, NASTask


def build(
    max_layers: int = TABLE_MAX_LAYERS,
    live: bool = False,
    device: str = "cpu",
    epochs: int | None = None,
    param_coef: float = 0.0,
    macs_coef: float = 0.0,
    cache_path: str | None = None,
):
    return NASTask(max_layers, live, device, epochs, param_coef, macs_coef, cache_path), []


build.__doc__ = __doc__

make_nasgen, make_nasgen_vec = entry_points(build)
