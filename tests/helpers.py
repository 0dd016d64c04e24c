"""Small helpers shared by the domain tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def play(env, actions: Iterable[Any], **reset_kwargs: Any) -> tuple[float, dict]:
    """Reset ``env`` and play ``actions`` to the end of the episode; returns (return, final info)."""
    env.reset(**reset_kwargs)
    total = 0.0
    for a in actions:
        _, r, term, trunc, info = env.step(a)
        total += r
        if term or trunc:
            return total, info
    raise AssertionError("the episode did not end")
