"""Lazy public attributes for domain packages (PEP 562).

``import genenvs`` registers every environment by importing each domain's small
``registry.py``; the domain package itself must not pull in RDKit, torch models or data
on import. A domain lists its public names and the modules that define them, and
:func:`lazy_attributes` returns the module-level ``__getattr__`` that imports on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, table: Mapping[str, str]) -> Callable[[str], Any]:
    """``__getattr__`` for ``package`` resolving ``name`` from ``table[name]`` on first access."""

    def __getattr__(name: str) -> Any:
        if name in table:
            return getattr(importlib.import_module(table[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
