"""The task definition: what is generated and how it is scored.

A :class:`TokenTask` is everything the generic environments need to know about a
domain. The environments (token-level, sample-level, native vector) are built from it and
contain no domain code, so a new domain is a new task class, not a new environment.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import Any, Protocol

import numpy as np
from gymnasium import spaces

from genenvs.core.rescoring import from_json, to_json
from genenvs.core.vocab import Vocabulary
from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult


@dataclasses.dataclass
class Context:
    """One problem instance: what the agent sees (``observation``) and what the scorer needs.

    ``observation`` must belong to the task's ``context_space``. ``payload`` carries the
    rest (a target, hidden unit tests, a reference continuation) and is handed to scorers
    in ``SampleBatch.contexts``. ``prefix`` optionally holds token ids (same vocabulary)
    that a reference language model should read before scoring the sample (a prompt).
    """

    observation: Any = None
    payload: Any = None
    prefix: np.ndarray | None = None


class Grammar(Protocol):
    """Grammar state of ``n`` episodes, advanced token by token (see :meth:`TokenTask.grammar_state`)."""

    def reset(self, rows: np.ndarray) -> None:
        """Rows ``rows`` start an empty sample."""

    def advance(self, rows: np.ndarray, ids: np.ndarray) -> None:
        """Row ``rows[i]`` appended the legal, non-end token ``ids[i]``."""

    def masks(self) -> np.ndarray:
        """``(n, V)`` bool, a fresh array: the tokens each row may take next (before the minimum length)."""


class TokenTask(ABC):
    """Abstract task for token-by-token generation.

    Subclasses set ``vocab``, ``max_length`` and ``scorer`` in ``__init__`` and implement
    :meth:`decode` and :meth:`encode`. Optional hooks: :meth:`sample_context` and
    ``context_space`` for conditional tasks, :meth:`action_mask` for grammar constraints,
    :meth:`render_rgb` for pictures.
    """

    #: Short name of the task family, e.g. ``"molgen"``.
    name: str = "task"
    #: Bumped whenever decoding or scoring changes; part of the provenance.
    version: str = "1"
    vocab: Vocabulary
    max_length: int
    scorer: Scorer
    #: The end token is masked until this many tokens were generated.
    min_length: int = 1
    #: Observation space of the context, or ``None`` for unconditional tasks.
    context_space: spaces.Space | None = None
    #: Whether the sample-level view may take a whole sample as a string.
    accepts_text: bool = False
    #: Whether :meth:`action_mask` restricts more than the minimum length.
    has_grammar_mask: bool = False
    #: Keyword arguments of the task's builder that change only what an episode shows
    #: (e.g. a rendering in ``info``), never dynamics or scores. They are left out of the
    #: provenance hash, so turning them on or off does not split the leaderboard.
    non_scoring_kwargs: frozenset[str] = frozenset()

    # ---------------------------------------------------------------- problem instances
    def sample_context(self, rng: np.random.Generator) -> Context:
        """Draw a problem instance. Unconditional tasks return an empty context."""
        return Context()

    # ---------------------------------------------------------------- decoding
    @abstractmethod
    def decode(self, ids: np.ndarray, context: Context) -> tuple[Any, bool]:
        """Turn generated ids (no end token) into ``(sample, valid)``."""

    @abstractmethod
    def encode(self, sample: Any, context: Context | None = None) -> np.ndarray:
        """Action ids that generate ``sample``, ending with the end id (0).

        Raises ``ValueError`` when the sample cannot be expressed in the vocabulary.
        """

    def canonical(self, sample: Any) -> Any:
        """Key under which scores are cached and oracle calls counted (e.g. canonical SMILES)."""
        return sample

    # ---------------------------------------------------------------- stored contexts
    def context_to_json(self, context: Context) -> Any:
        """The context as JSON data, stored with each sample so it can be scored again.

        The default stores the whole :class:`Context` (``genenvs.core.rescoring.to_json``);
        a task whose instances come from a fixed set may store just an id instead.
        """
        return to_json(context)

    def context_from_json(self, data: Any) -> Context:
        """The inverse of :meth:`context_to_json`."""
        context = from_json(data)
        if not isinstance(context, Context):
            raise ValueError(f"a stored context must decode to a Context, got {type(context).__name__}")
        return context

    # ---------------------------------------------------------------- constraints
    def action_mask(self, tokens: np.ndarray, lengths: np.ndarray, contexts: list[Context]) -> np.ndarray | None:
        """Grammar mask ``(n, V)`` for the next token of each row, or ``None`` if unconstrained.

        ``tokens`` is ``(n, max_length)`` padded with ``vocab.pad_id``; ``lengths`` the
        number of tokens generated so far. The end-token minimum length is applied by the
        environment on top of this.
        """
        return None

    def grammar_state(self, num_rows: int) -> Grammar | None:
        """An incremental form of :meth:`action_mask` for ``num_rows`` episodes, or ``None``.

        The engine tells it every token it appends and every row it restarts, so a mask
        costs a lookup instead of re-reading whole buffers. A task whose grammar is a
        finite automaton returns one (CodeDSL's compiled :class:`~genenvs.code.dsl.MaskState`);
        :meth:`action_mask` stays the reference, used for buffers (policies, replays).
        """
        return None

    # ---------------------------------------------------------------- scoring
    def score(self, batch: SampleBatch) -> ScoreResult:
        return self.scorer(batch)

    def reference_model_path(self) -> str | None:
        """Path of the shipped reference generator (a RecurrentLM) over this vocabulary, if any.

        Baselines start from it, the ``prior`` baseline samples it, KL-control rewards use it.
        """
        return None

    def training_data(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The domain's real samples as ``(ids (N, max_length) padded with V, lengths)``, if shipped.

        Used for maximum-likelihood pretraining (the ``mle`` baseline) and as real data for
        discriminator rewards.
        """
        return None

    #: Whether ``Context.observation`` is a padded id array in the task's own vocabulary
    #: (a prompt) that a policy can read as a prefix, rather than a feature array.
    context_is_prefix: bool = False

    #: For a ``Dict`` context: the field holding the prompt (``Context.prefix`` padded with
    #: ``pad_id``) that policies and reference LMs read as a prefix; other fields are features.
    prompt_field: str | None = None

    def data_checksums(self) -> dict[str, str]:
        """Checksums of the data and models the task reads (shipped files)."""
        return {}

    def params(self) -> dict[str, Any]:
        """Constructor parameters that change dynamics or scores."""
        return {}

    def identity(self) -> dict[str, Any]:
        return {
            "task": self.name,
            "version": self.version,
            "params": self.params(),
            "vocab": self.vocab.checksum(),
            "max_length": self.max_length,
            "min_length": self.min_length,
            "scorer": self.scorer.identity(),
            "data": self.data_checksums(),
        }

    # ---------------------------------------------------------------- display
    def render_text(self, sample: Any, partial_ids: np.ndarray, context: Context) -> str:
        """One-line text view of a (partial) sample for ``render_mode="ansi"``."""
        return " ".join(self.vocab.symbols(partial_ids))

    def render_rgb(self, sample: Any, partial_ids: np.ndarray, context: Context) -> np.ndarray | None:
        """Picture of the sample, or ``None`` if the domain does not draw."""
        return None

    def describe_context(self, context: Context) -> str:
        return ""

    def episode_info(self, sample: Any, context: Context) -> dict[str, Any]:
        """Domain extras added to the final ``info`` (e.g. the canonical SMILES)."""
        return {}
