"""adversarial_v0: the generation game behind SeqGAN and SPIRAL, with both players learning.

SeqGAN (Yu et al., 2017) and SPIRAL (Ganin et al., 2018) train a generator with RL against
a discriminator that is itself trained to tell real samples from generated ones; the
single-agent envs of this suite hide that discriminator inside a reward
(:class:`genenvs.rewards.discriminator.DiscriminatorReward`). Here it is a second agent.
Each game the ``generator`` writes ``n_generated`` samples token by token in a domain's
vocabulary (molecules as SELFIES or SMILES, or text); they are shuffled with ``n_real``
samples drawn from the domain's training data, and the ``discriminator`` labels every row
of that batch real or fake. Rewards are zero-sum: the discriminator earns Youden's J
statistic of its judgements (true-real rate + true-fake rate - 1, in ``[-1, 1]``; 0 for any
judge that ignores its input) and the generator earns its negative. Neither player faces a
fixed opponent: the non-stationarity of GAN training is the point of the game.

Random-vs-random baseline (uniform legal actions, 1,000 games, seeds 0..999, molecule
domain, defaults; ``python -m genenvs.multiagent.random_baseline``): discriminator return
+0.009 +- 0.352 (mean +- std; Youden's J, chance is 0), generator -0.009; 97.6% of the
random SELFIES decode to a molecule, none of them a training molecule.

Turn structure (one game = one batch; ``B = n_generated + n_real``):

1. Generation: the generator moves ``n_generated`` times ``<= max_length`` steps. Action
   ``0`` (``<end>``) finishes the current sample (illegal as its first token); a sample
   also ends at ``max_length`` tokens. The discriminator does not move.
2. Judgement: the batch is revealed (rows in a random order fixed at reset) and the
   discriminator moves ``B`` times, judging row ``0, 1, ...``: action ``1`` = real,
   ``0`` = fake. Each judgement pays ``+-1 / (2 n_class)`` (``+`` if correct; ``n_class``
   is ``n_real`` or ``n_generated`` for the row's true label) to the discriminator and
   the opposite to the generator, so the returns are J and -J.

Observations (``L = max_length``, ``V`` = the domain's vocabulary size incl. ``<end>``,
pad id ``V``):

==================  ========================  ==============================================
agent / key         dtype, shape              meaning
==================  ========================  ==============================================
generator
``observation``     int64 ``(L,)``            the sample being written, padded with ``V``
``action_mask``     int8 ``(V,)``             legal next tokens (zeros when not its turn)
discriminator
``observation``     int64 ``(B, L)``          the batch in judging order (all pad until the
                                              generation phase ends)
``judgements``      int64 ``(B,)``            its judgements so far: 0 fake, 1 real, 2 pending
``action_mask``     int8 ``(2,)``             ones on its turn
==================  ========================  ==============================================

At the end both agents' ``info`` holds ``samples`` (decoded generated samples), ``valid``,
``labels`` and ``judgements`` (per row), ``true_real_rate``, ``true_fake_rate``,
``youden_j`` and ``reward_components`` (the return split into the real rows' and the
generated rows' judgements).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.utils import EzPickle

from genenvs.multiagent.base import Move, TurnBasedGame, parallel_from_aec, wrap
from genenvs.multiagent.sources import CORPORA, load_corpus

FAKE, REAL, PENDING = 0, 1, 2
GENERATOR, DISCRIMINATOR = "generator", "discriminator"


def env(**kwargs: Any):
    """The AEC game with PettingZoo's classic wrappers (an illegal move ends it with -1)."""
    return wrap(raw_env(**kwargs))


def parallel_env(**kwargs: Any):
    """The parallel view: each step every live agent submits an action; the acting one's is used."""
    return parallel_from_aec(env(**kwargs))


class raw_env(TurnBasedGame, EzPickle):
    """Generator vs discriminator over one batch of real and generated samples.

    Args:
        domain: ``"molecule"`` (SELFIES, MolGen-v0's vocabulary), ``"molecule_smiles"``
            (SMILES, MolSmiles-v0's) or ``"text"`` (the text domain's words and corpus).
        n_generated: samples the generator writes per game.
        n_real: real samples drawn from the domain's training data per game.
        max_length: token limit of a sample; default the domain's own. Real samples longer
            than this are not drawn.
        render_mode: ``"ansi"`` for a transcript from :meth:`render`.
    """

    metadata = {"render_modes": ["ansi"], "name": "adversarial_v0", "is_parallelizable": False}
    possible_agents = [GENERATOR, DISCRIMINATOR]
    version = "0"

    def __init__(self, domain: str = "molecule", n_generated: int = 4, n_real: int = 4, max_length: int | None = None, render_mode: str | None = None) -> None:
        EzPickle.__init__(self, domain=domain, n_generated=n_generated, n_real=n_real, max_length=max_length, render_mode=render_mode)
        super().__init__(render_mode)
        if domain not in CORPORA:
            raise ValueError(f"unknown domain {domain!r}; choose one of {sorted(CORPORA)}")
        for name, value in (("n_generated", n_generated), ("n_real", n_real)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.corpus = load_corpus(domain)
        if max_length is not None and (not isinstance(max_length, (int, np.integer)) or max_length < 1):
            raise ValueError(f"max_length must be a positive integer or None (the domain's {self.corpus.max_length}), got {max_length!r}")
        self.domain = domain
        self.n_generated, self.n_real = int(n_generated), int(n_real)
        self.batch_size = self.n_generated + self.n_real
        self.max_length = int(max_length) if max_length is not None else self.corpus.max_length
        self.corpus.real_ids(np.random.default_rng(0), self.max_length)  # fail now if no real sample fits
        self.vocab = self.corpus.vocab
        self.pad_id = self.vocab.pad_id
        self._kwargs = {"domain": domain, "n_generated": self.n_generated, "n_real": self.n_real, "max_length": self.max_length}

    # ------------------------------------------------------------------ spaces
    def _build_observation_space(self, agent: str) -> spaces.Dict:
        if agent == GENERATOR:
            return spaces.Dict(
                {
                    "observation": spaces.Box(0, self.pad_id, (self.max_length,), np.int64),
                    "action_mask": spaces.Box(0, 1, (len(self.vocab),), np.int8),
                }
            )
        return spaces.Dict(
            {
                "observation": spaces.Box(0, self.pad_id, (self.batch_size, self.max_length), np.int64),
                "judgements": spaces.Box(0, PENDING, (self.batch_size,), np.int64),
                "action_mask": spaces.Box(0, 1, (2,), np.int8),
            }
        )

    def _build_action_space(self, agent: str) -> spaces.Discrete:
        return spaces.Discrete(len(self.vocab) if agent == GENERATOR else 2)

    def _identity(self) -> dict[str, Any]:
        return {"game": self.metadata["name"], "version": self.version, "params": self._kwargs, "corpus": self.corpus.identity()}

    def _action_name(self, agent: str, action: int) -> str:
        if agent == DISCRIMINATOR:
            return "real" if action == REAL else "fake"
        return self.vocab.tokens[action]

    # ------------------------------------------------------------------ game
    def _new_game(self) -> str:
        rng = self.np_random
        self._labels = rng.permutation(np.array([FAKE] * self.n_generated + [REAL] * self.n_real, dtype=np.int64))
        self._batch = np.full((self.batch_size, self.max_length), self.pad_id, dtype=np.int64)
        for row in np.flatnonzero(self._labels == REAL):
            ids = self.corpus.real_ids(rng, self.max_length)
            self._batch[row, : len(ids)] = ids
        self._fake_rows = np.flatnonzero(self._labels == FAKE)
        self._tokens: list[int] = []
        self._samples: list[str] = []
        self._valid: list[bool] = []
        self._judgements = np.full(self.batch_size, PENDING, dtype=np.int64)
        self._transcript.append(
            f"adversarial_v0 ({self.domain}): the generator writes {self.n_generated} sample{'s' if self.n_generated > 1 else ''}; "
            f"the discriminator judges a batch of {self.batch_size} ({self.n_real} real)"
        )
        return GENERATOR

    @property
    def judging(self) -> bool:
        """Whether the generation phase is over and the batch is visible."""
        return len(self._samples) == self.n_generated

    def _observe(self, agent: str) -> dict[str, np.ndarray]:
        if agent == GENERATOR:
            sample = np.full(self.max_length, self.pad_id, dtype=np.int64)
            sample[: len(self._tokens)] = self._tokens
            return {"observation": sample}
        batch = self._batch.copy() if self.judging else np.full_like(self._batch, self.pad_id)
        return {"observation": batch, "judgements": self._judgements.copy()}

    def _legal_actions(self, agent: str) -> np.ndarray:
        if agent == DISCRIMINATOR:
            return np.ones(2, dtype=bool)
        legal = np.ones(len(self.vocab), dtype=bool)
        legal[self.vocab.end_id] = len(self._tokens) > 0
        return legal

    def _play(self, agent: str, action: int) -> Move:
        if agent == GENERATOR:
            if action != self.vocab.end_id:
                self._tokens.append(action)
            if action == self.vocab.end_id or len(self._tokens) == self.max_length:
                self._finish_sample()
            return Move(DISCRIMINATOR if self.judging else GENERATOR)
        return self._judge(action)

    def _finish_sample(self) -> None:
        row = self._fake_rows[len(self._samples)]
        ids = np.asarray(self._tokens, dtype=np.int64)
        self._batch[row, : len(ids)] = ids
        sample, valid = self.corpus.decode(ids)
        self._samples.append(sample)
        self._valid.append(bool(valid))
        self._tokens = []
        self._transcript.append(f"generator      sample {len(self._samples)}/{self.n_generated} -> row {row}: {sample}{'' if valid else ' (invalid)'}")

    def _judge(self, action: int) -> Move:
        row = int(np.argmax(self._judgements == PENDING))
        self._judgements[row] = action
        label = int(self._labels[row])
        n_class = self.n_real if label == REAL else self.n_generated
        reward = (1.0 if action == label else -1.0) / (2 * n_class)
        shown = self.corpus.decode(self._batch[row][self._batch[row] != self.pad_id])[0] if label == REAL else self._samples[list(self._fake_rows).index(row)]
        self._transcript.append(
            f"discriminator  row {row} ({'real' if label == REAL else 'generated'}) judged {'real' if action == REAL else 'fake'} "
            f"[{reward:+.3f}]: {shown}"
        )
        rewards = {DISCRIMINATOR: reward, GENERATOR: -reward}
        if (self._judgements != PENDING).all():
            self._final_infos = self._summary()
            return Move(None, rewards)
        return Move(DISCRIMINATOR, rewards)

    def _summary(self) -> dict[str, dict[str, Any]]:
        real = self._labels == REAL
        true_real = float(np.mean(self._judgements[real] == REAL))
        true_fake = float(np.mean(self._judgements[~real] == FAKE))
        j = true_real + true_fake - 1.0
        self._transcript.append(f"true-real rate {true_real:.3f}, true-fake rate {true_fake:.3f}: discriminator {j:+.3f}, generator {0.0 - j:+.3f}")
        components = {"real_rows": true_real - 0.5, "generated_rows": true_fake - 0.5}
        shared = {
            "samples": list(self._samples),
            "valid": list(self._valid),
            "labels": self._labels.tolist(),
            "judgements": self._judgements.tolist(),
            "true_real_rate": true_real,
            "true_fake_rate": true_fake,
            "youden_j": j,
        }
        return {
            DISCRIMINATOR: {**shared, "reward_components": components},
            GENERATOR: {**shared, "reward_components": {k: 0.0 - v for k, v in components.items()}},
        }


__all__ = ["env", "parallel_env", "raw_env"]
