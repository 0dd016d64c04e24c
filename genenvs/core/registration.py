"""Registration of every genenvs environment with Gymnasium.

Each domain lists its environments as :class:`EnvEntry` records in its ``registry.py``;
``import genenvs`` registers them all, which is also what ``gym.make("genenvs:ID")``
triggers. Registration imports only those small modules, never models or data.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
from typing import Any

import gymnasium as gym

#: Domains in the order ``genenvs list`` shows them. Each has a ``registry.py``.
DOMAINS = ("text", "code", "image", "audio", "molecule", "nas")


@dataclasses.dataclass(frozen=True)
class EnvEntry:
    id: str
    entry_point: str
    description: str
    vector_entry_point: str | None = None
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)
    token_level: bool = True
    flagship: bool = False


def all_entries() -> list[tuple[str, EnvEntry]]:
    """``(domain, entry)`` for every environment of every domain."""
    entries = []
    for domain in DOMAINS:
        if importlib.util.find_spec(f"genenvs.{domain}") is None or importlib.util.find_spec(f"genenvs.{domain}.registry") is None:
            continue  # a domain that is not part of this build
        module = importlib.import_module(f"genenvs.{domain}.registry")
        entries.extend((domain, entry) for entry in module.ENVIRONMENTS)
    return entries


def register_all() -> None:
    for _, entry in all_entries():
        if entry.id in gym.registry:
            continue
        gym.register(
            id=entry.id,
            entry_point=entry.entry_point,
            vector_entry_point=entry.vector_entry_point,
            kwargs=dict(entry.kwargs),
            disable_env_checker=False,
        )


def registered_ids() -> list[str]:
    return [entry.id for _, entry in all_entries()]


def describe(env_id: str) -> tuple[str, EnvEntry]:
    for domain, entry in all_entries():
        if entry.id == env_id:
            return domain, entry
    known = ", ".join(registered_ids())
    raise ValueError(f"unknown environment {env_id!r}; registered: {known}")
