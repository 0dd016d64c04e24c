"""Exceptions with names a user can act on."""

from __future__ import annotations


class GenEnvsError(Exception):
    """Base class for genenvs errors."""


class InvalidActionError(GenEnvsError, ValueError):
    """An action outside the action space, or of the wrong shape or dtype."""


class EpisodeOverError(GenEnvsError, RuntimeError):
    """``step()`` was called after the episode ended; call ``reset()`` first."""


class BudgetExhaustedError(GenEnvsError, RuntimeError):
    """An oracle budget has been spent; no further samples can be scored."""
