"""MolGraph-v0: MolDQN's molecule-editing Markov decision process as a Gymnasium env.

Zhou et al. (2019, "Optimization of Molecules via Deep Reinforcement Learning", Sci. Rep.
9, 10752) build a molecule by chemically valid edits, one per step, from an empty (or a
given) molecule, and reward every step with the objective of the molecule reached,
discounted towards the end of the episode. Their Q-network scores each candidate by the
Morgan fingerprint (radius 3, 2048 bits) of the molecule it leads to plus the number of
steps left; the observation here carries exactly those features, so a MolDQN agent needs
no chemistry code. The valid edits are enumerated in :mod:`genenvs.molecule.graph_actions`.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from rdkit import Chem

from genenvs.core.errors import EpisodeOverError, InvalidActionError
from genenvs.core.provenance import provenance_record
from genenvs.core.rescoring import RECORD_KEY, dumps_record
from genenvs.molecule import fingerprints
from genenvs.molecule.properties import mol_from_smiles
from genenvs.molecule.graph_actions import Edit, EditRules, valid_edits
from genenvs.molecule.objectives import make_scorer
from genenvs.molecule.render import draw_molecule
from genenvs.molecule.tasks import DEFAULT_MAX_HEAVY_ATOMS
from genenvs.rewards.base import SampleBatch, ScoreResult
from genenvs.rewards.cache import CachedScorer

#: Episode lengths of the paper: 40 steps from scratch, 20 when improving a given molecule.
MAX_STEPS = 40
CONSTRAINED_MAX_STEPS = 20
INVALID_ACTION_POLICIES = ("keep", "raise")


class CandidateSet(NamedTuple):
    """The actions available in one molecule, as cached per canonical SMILES.

    ``edits[i]`` is action ``i`` (without its RDKit molecule, to keep the cache small);
    fingerprints are stored bit-packed (``np.packbits`` along the last axis).
    """

    edits: tuple[Edit, ...]
    packed_fingerprints: np.ndarray  # (len(edits), ceil(bits / 8)) uint8
    packed_state_fingerprint: np.ndarray  # (ceil(bits / 8),) uint8; zeros for the empty molecule
    truncated: int  # valid edits beyond max_actions, dropped


class MolGraphEnv(gym.Env):
    """Edit a molecule graph for ``max_steps`` steps (MolDQN's MDP).

    * **State**: a molecule (canonical SMILES), starting empty or at ``start_smiles``.
    * **Action**: ``Discrete(max_actions)``: index ``i`` picks the ``i``-th valid edit of
      the current molecule (:attr:`candidates`, the order of
      :func:`~genenvs.molecule.graph_actions.valid_edits`: index 0 is the no-op whenever
      the molecule is not empty). ``action_masks()`` and ``info["action_mask"]`` mark the
      valid indices. A molecule with more valid edits than ``max_actions`` keeps the first
      ``max_actions`` and reports the rest in ``info["truncated_actions"]``.
    * **Observation** (``Dict``):

      ===============  ==========================  ========================================
      ``fingerprint``  uint8 ``(bits,)``           Morgan bits of the current molecule
      ``steps_left``   float32 ``(1,)``            steps before the episode ends
      ``action_mask``  int8 ``(max_actions,)``     1 where the action is valid
      ``candidates``   uint8 ``(max_actions, b)``  Morgan bits of the molecule each action
                                                   leads to; zero rows where masked
      ===============  ==========================  ========================================

      ``candidates`` is MolDQN's Q-network input (with ``steps_left``); it costs
      ``max_actions * bits`` bytes per observation (1 MiB at the defaults), so
      ``fingerprint_bits``, ``max_actions`` or ``observe_candidates=False`` shrink it.
    * **Reward**: after step ``t`` of ``T``, ``score(molecule_t) * discount ** (T - t)``;
      the last step earns the undiscounted score. ``info["reward_components"]`` holds the
      running total under ``"discounted_<objective>"``, so it equals the return so far.
    * **Termination**: after ``max_steps`` edits (the horizon is part of the state via
      ``steps_left``, so this is ``terminated``, not ``truncated``).
    * **Info** at every step: ``sample`` (SMILES), ``valid``, ``score`` (the objective of
      the current molecule), ``discount``, ``reward_components``, ``score_components`` (the
      objective's named terms, e.g. similarity), ``edit``, ``invalid_action``,
      ``num_valid_actions``, ``truncated_actions``, ``action_mask`` (bool); at the last
      step also ``sample_record`` (the final SMILES as JSON text, which
      :meth:`score_records` scores again).

    Args:
        objective: any name from :func:`genenvs.molecule.list_objectives` (default QED).
        objective_kwargs: parameters of parametrised objectives.
        start_smiles: the initial molecule (``None``: the empty molecule).
        delta: similarity threshold of ``objective="constrained_plogp"`` (default 0.4),
            whose start molecule is ``start_smiles``.
        max_steps: episode length (default 40, or 20 for ``constrained_plogp``).
        discount: the reward discount ``gamma`` (MolDQN's QED runs: 0.9).
        max_heavy_atoms: no atom additions beyond this size (default 38; ``None`` lifts it).
        max_actions: size of the action space (default 512; the defaults rarely exceed 400).
        fingerprint_radius, fingerprint_bits: Morgan fingerprint (MolDQN: 3 and 2048).
        observe_candidates: include the ``candidates`` field.
        atom_types, allowed_ring_sizes, allow_bonds_between_rings, allow_removal,
        allow_no_modification: MolDQN's action-space options (see ``EditRules``).
        on_invalid_action: what a masked action does: ``"keep"`` leaves the molecule as it
            is (a wasted step, flagged in ``info["invalid_action"]``; the default, because
            ``check_env`` steps with unmasked random actions), ``"raise"`` raises
            :class:`~genenvs.core.errors.InvalidActionError` as MolDQN does. Actions outside
            the space always raise.
        cache_size: molecules whose candidates (edits and fingerprints) are memoised.
        render_mode: ``"ansi"`` (SMILES and score) or ``"rgb_array"`` (a drawing).
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 2}

    def __init__(
        self,
        objective: str = "qed",
        objective_kwargs: dict[str, Any] | None = None,
        start_smiles: str | None = None,
        delta: float | None = None,
        max_steps: int | None = None,
        discount: float = 0.9,
        max_heavy_atoms: int | None = DEFAULT_MAX_HEAVY_ATOMS,
        max_actions: int = 512,
        fingerprint_radius: int = 3,
        fingerprint_bits: int = 2048,
        observe_candidates: bool = True,
        atom_types: tuple[str, ...] = ("C", "O", "N"),
        allowed_ring_sizes: tuple[int, ...] | None = (5, 6),
        allow_bonds_between_rings: bool = False,
        allow_removal: bool = True,
        allow_no_modification: bool = True,
        on_invalid_action: str = "keep",
        cache_size: int = 1024,
        render_mode: str | None = None,
    ) -> None:
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        if on_invalid_action not in INVALID_ACTION_POLICIES:
            raise ValueError(f"on_invalid_action must be one of {INVALID_ACTION_POLICIES}, got {on_invalid_action!r}")
        if not 0.0 < float(discount) <= 1.0:
            raise ValueError(f"discount must lie in (0, 1], got {discount}")
        for name, value in (("max_actions", max_actions), ("fingerprint_bits", fingerprint_bits), ("cache_size", cache_size)):
            if int(value) < 1:
                raise ValueError(f"{name} must be a positive integer, got {value}")
        if int(fingerprint_radius) < 0:
            raise ValueError(f"fingerprint_radius must be >= 0, got {fingerprint_radius}")
        self.rules = EditRules(
            atom_types=atom_types,
            allowed_ring_sizes=allowed_ring_sizes,
            allow_bonds_between_rings=bool(allow_bonds_between_rings),
            allow_removal=bool(allow_removal),
            allow_no_modification=bool(allow_no_modification),
            max_heavy_atoms=max_heavy_atoms,
        )
        self.start_smiles = _start_state(start_smiles, max_heavy_atoms)
        self.objective_kwargs = _objective_params(objective, dict(objective_kwargs or {}), start_smiles, delta)
        self.scorer = CachedScorer(make_scorer(objective, **self.objective_kwargs), max_entries=100_000)
        self.objective = objective
        self.max_steps = int(max_steps if max_steps is not None else (CONSTRAINED_MAX_STEPS if objective == "constrained_plogp" else MAX_STEPS))
        if self.max_steps < 1:
            raise ValueError(f"max_steps must be a positive integer, got {max_steps}")
        self.discount = float(discount)
        self.max_actions = int(max_actions)
        self.fingerprint_radius = int(fingerprint_radius)
        self.fingerprint_bits = int(fingerprint_bits)
        self.observe_candidates = bool(observe_candidates)
        self.on_invalid_action = on_invalid_action
        self.cache_size = int(cache_size)
        self.render_mode = render_mode
        self.reward_name = f"discounted_{self.scorer.name}"

        bits, n = self.fingerprint_bits, self.max_actions
        fields: dict[str, spaces.Space] = {
            "fingerprint": spaces.Box(0, 1, (bits,), np.uint8),
            "steps_left": spaces.Box(0.0, float(self.max_steps), (1,), np.float32),
            "action_mask": spaces.Box(0, 1, (n,), np.int8),
        }
        if self.observe_candidates:
            fields["candidates"] = spaces.Box(0, 1, (n, bits), np.uint8)
        self.observation_space = spaces.Dict(fields)
        self.action_space = spaces.Discrete(n)

        self._cache: OrderedDict[str, CandidateSet] = OrderedDict()
        self.cache_hits = 0
        self.cache_misses = 0
        self._smiles: str | None = None
        self._candidates: CandidateSet | None = None
        self._steps = 0
        self._return = 0.0
        self._last_info: dict[str, Any] = {}

    # ---------------------------------------------------------------- gymnasium API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)  # the MDP itself is deterministic; seeding is for the API
        self._steps = 0
        self._return = 0.0
        self._set_state(self.start_smiles)
        info = {
            "sample": self._smiles,
            "valid": bool(self._smiles),
            "num_valid_actions": len(self._candidates.edits),
            "truncated_actions": self._candidates.truncated,
            "action_mask": self.action_masks(),
        }
        self._last_info = info
        return self._observation(), dict(info)

    def step(self, action):
        if self._smiles is None:
            raise EpisodeOverError("step() called before reset()")
        if self._steps >= self.max_steps:
            raise EpisodeOverError(f"step() called after the episode ended ({self.max_steps} steps); call reset() first")
        index = self._check_action(action)
        edits = self._candidates.edits
        invalid = index >= len(edits)
        if invalid and self.on_invalid_action == "raise":
            raise InvalidActionError(
                f"action {index} is masked: {self._smiles or 'the empty molecule'} has {len(edits)} valid edits (actions 0..{len(edits) - 1}); see action_masks()"
            )
        new_smiles = self._smiles if invalid else edits[index].smiles

        self._steps += 1
        self._set_state(new_smiles)
        result = self.scorer(SampleBatch(samples=[new_smiles], valid=np.array([bool(new_smiles)])))
        score = float(result.scores[0])
        discount = self.discount ** (self.max_steps - self._steps)
        reward = score * discount
        self._return += reward
        info = {
            "sample": new_smiles,
            "valid": bool(result.valid[0]),
            "score": score,
            "discount": discount,
            "reward_components": {self.reward_name: self._return},
            "score_components": {name: float(values[0]) for name, values in result.components.items()},
            "edit": "invalid" if invalid else edits[index].kind,
            "invalid_action": invalid,
            "num_valid_actions": len(self._candidates.edits),
            "truncated_actions": self._candidates.truncated,
            "action_mask": self.action_masks(),
        }
        terminated = self._steps >= self.max_steps
        if terminated:
            info[RECORD_KEY] = dumps_record({"smiles": new_smiles})
        self._last_info = info
        return self._observation(), reward, terminated, False, dict(info)

    def render(self):
        if self.render_mode is None:
            gym.logger.warn("render() called without a render_mode; pass render_mode='ansi' or 'rgb_array'")
            return None
        if self.render_mode == "rgb_array":
            return draw_molecule(self._smiles)
        line = f"step {self._steps}/{self.max_steps}  {self._smiles or '(empty molecule)'}"
        if "score" in self._last_info:
            line += f"  {self.objective}={self._last_info['score']:.4f}  reward={self._last_info['score'] * self._last_info['discount']:.4f}"
        return line

    def action_masks(self) -> np.ndarray:
        """Valid actions of the current molecule, bool ``(max_actions,)`` (MaskablePPO's hook)."""
        mask = np.zeros(self.max_actions, dtype=bool)
        if self._candidates is not None:
            mask[: len(self._candidates.edits)] = True
        return mask

    # ---------------------------------------------------------------- introspection
    @property
    def smiles(self) -> str | None:
        """The current molecule (``""`` when empty, ``None`` before the first reset)."""
        return self._smiles

    @property
    def candidates(self) -> tuple[Edit, ...]:
        """The valid edits of the current molecule; action ``i`` is ``candidates[i]``."""
        return () if self._candidates is None else self._candidates.edits

    @property
    def provenance(self) -> dict[str, Any]:
        env_id = self.spec.id if self.spec is not None else None
        return provenance_record(env_id, "graph", self._config(), self._identity(), [])

    def score_records(self, records: list[dict[str, Any]]) -> ScoreResult:
        """Score stored ``{"smiles"}`` records (final molecules) with the objective, as :meth:`step` does."""
        smiles = [r["smiles"] for r in records]
        return self.scorer(SampleBatch(samples=smiles, valid=np.array([bool(s) for s in smiles], dtype=bool)))

    def _config(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "objective_kwargs": self.objective_kwargs,
            "start_smiles": self.start_smiles,
            "max_steps": self.max_steps,
            "discount": self.discount,
            "max_actions": self.max_actions,
            "fingerprint_radius": self.fingerprint_radius,
            "fingerprint_bits": self.fingerprint_bits,
            "observe_candidates": self.observe_candidates,
            "on_invalid_action": self.on_invalid_action,
        }

    def _identity(self) -> dict[str, Any]:
        return {"name": "moldqn_graph_edits", "version": "1", "scorer": self.scorer.identity(), "rules": dataclasses.asdict(self.rules)}

    # ---------------------------------------------------------------- internals
    def _check_action(self, action: Any) -> int:
        arr = np.asarray(action)
        if arr.shape not in ((), (1,)):
            raise InvalidActionError(f"expected a single action index, got an array of shape {arr.shape}")
        if not np.issubdtype(arr.dtype, np.integer):
            raise InvalidActionError(f"actions are integer indices into Discrete({self.max_actions}), got dtype {arr.dtype}")
        index = int(arr.reshape(()))
        if not 0 <= index < self.max_actions:
            raise InvalidActionError(f"action {index} is outside the action space Discrete({self.max_actions})")
        return index

    def _set_state(self, smiles: str) -> None:
        self._smiles = smiles
        self._candidates = self._candidate_set(smiles)

    def _candidate_set(self, smiles: str) -> CandidateSet:
        """Candidates of ``smiles`` (canonical), from an LRU cache keyed on the SMILES."""
        cached = self._cache.get(smiles)
        if cached is not None:
            self._cache.move_to_end(smiles)
            self.cache_hits += 1
            return cached
        self.cache_misses += 1
        edits = valid_edits(smiles, self.rules)
        truncated = max(0, len(edits) - self.max_actions)
        edits = edits[: self.max_actions]
        bits = np.zeros((len(edits), self.fingerprint_bits), dtype=np.uint8)
        for row, edit in enumerate(edits):
            bits[row] = fingerprints.morgan_bits_array(edit.mol, self.fingerprint_radius, self.fingerprint_bits)
        state = np.zeros(self.fingerprint_bits, dtype=np.uint8)
        if smiles:
            state = fingerprints.morgan_bits_array(Chem.MolFromSmiles(smiles), self.fingerprint_radius, self.fingerprint_bits)
        entry = CandidateSet(
            edits=tuple(e.without_mol() for e in edits),
            packed_fingerprints=np.packbits(bits, axis=-1),
            packed_state_fingerprint=np.packbits(state),
            truncated=truncated,
        )
        self._cache[smiles] = entry
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return entry

    def _observation(self) -> dict[str, np.ndarray]:
        cands = self._candidates
        k, bits = len(cands.edits), self.fingerprint_bits
        mask = np.zeros(self.max_actions, dtype=np.int8)
        mask[:k] = 1
        obs = {
            "fingerprint": np.unpackbits(cands.packed_state_fingerprint, count=bits),
            "steps_left": np.array([self.max_steps - self._steps], dtype=np.float32),
            "action_mask": mask,
        }
        if self.observe_candidates:
            table = np.zeros((self.max_actions, bits), dtype=np.uint8)
            if k:
                table[:k] = np.unpackbits(cands.packed_fingerprints, axis=-1, count=bits)
            obs["candidates"] = table
        return obs


def _start_state(start_smiles: str | None, max_heavy_atoms: int | None) -> str:
    """Canonical SMILES of the start molecule (``""``: empty), checked against the cap."""
    if start_smiles is None or start_smiles == "":
        return ""
    if not isinstance(start_smiles, str):
        raise TypeError(f"start_smiles must be a SMILES string or None, got {type(start_smiles).__name__}")
    mol = mol_from_smiles(start_smiles)
    if mol is None:
        raise ValueError(f"start_smiles {start_smiles!r} is not a valid SMILES")
    if len(Chem.GetMolFrags(mol)) > 1:
        raise ValueError(f"start_smiles {start_smiles!r} has several fragments; the edits assume one connected molecule")
    if max_heavy_atoms is not None and mol.GetNumHeavyAtoms() > max_heavy_atoms:
        raise ValueError(f"start_smiles has {mol.GetNumHeavyAtoms()} heavy atoms, above max_heavy_atoms={max_heavy_atoms}; raise the cap or pass None")
    return Chem.MolToSmiles(mol)


def _objective_params(objective: str, params: dict[str, Any], start_smiles: str | None, delta: float | None) -> dict[str, Any]:
    """Objective parameters; ``constrained_plogp`` takes its start molecule and delta from the env."""
    if objective != "constrained_plogp":
        if delta is not None:
            raise ValueError(f"delta is the similarity threshold of objective='constrained_plogp', not of {objective!r}; drop it")
        return params
    if start_smiles is None:
        raise ValueError("objective='constrained_plogp' improves a given molecule: pass start_smiles=...")
    if params.setdefault("start_smiles", start_smiles) != start_smiles:
        raise ValueError(f"objective_kwargs['start_smiles']={params['start_smiles']!r} differs from start_smiles={start_smiles!r}; pass it once")
    if delta is not None:
        if "delta" in params and params["delta"] != delta:
            raise ValueError(f"objective_kwargs['delta']={params['delta']!r} differs from delta={delta!r}; pass it once")
        params["delta"] = float(delta)
    return params


__all__ = ["CONSTRAINED_MAX_STEPS", "MAX_STEPS", "CandidateSet", "MolGraphEnv"]
