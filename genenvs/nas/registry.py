"""Neural-architecture-search environments registered with Gymnasium."""

from genenvs.core.registration import EnvEntry

ENVIRONMENTS = [
    EnvEntry(
        id="NASGen-v0",
        entry_point="genenvs.nas.env:make_nasgen",
        vector_entry_point="genenvs.nas.env:make_nasgen_vec",
        description="Zoph & Le-style controller writes a small digits classifier token by token (masked grammar); reward = validation accuracy from a table of all 2,088 trained networks (or live training), minus optional parameter/MAC costs.",
        flagship=True,
    ),
]
