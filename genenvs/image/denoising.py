"""The dynamics and rewards of ImageGen-v0, written once for n episodes held as tensors.

DDPO (Black et al., 2023) casts a K-step diffusion sampler as an MDP:

* state ``s_k = (x_t, t, c)``: the current noisy image, its diffusion timestep and the
  context (here the requested digit class ``c``);
* action ``a_k = x_{t_prev}``: the next, less noisy image; the transition just copies it,
  so all the randomness of sampling lives in the policy;
* reward: zero until the last step, then ``r(x_0, c)`` of the finished image.

The pretrained model's Gaussian ``N(mean, std^2 I)`` over the action is computed at every
step (one batched forward pass) and exposed, so a policy can be "pretrained model plus a
learned correction". With ``kl_coef > 0`` each step also earns DPOK's KL penalty (Fan et
al., 2023) toward that Gaussian, as the ``kl_pretrained`` reward component.

The single env is this engine with n = 1 and the native vector env is n = num_envs, so
both give the same returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from gymnasium import spaces

from genenvs.core.errors import InvalidActionError
from genenvs.core.rescoring import RECORD_KEY, check_rescorable, decode_array, dumps_record, encode_array
from genenvs.image.diffusion import DDIMPolicy
from genenvs.image.digits import NUM_CLASSES, checked_index
from genenvs.image.render import ascii_art, to_rgb
from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult

#: Pixel values of x_t are kept within +-PIXEL_BOUND (x_T ~ N(0, I) is clipped there; a
#: pretrained sample exceeds 8 standard deviations with probability ~1e-15 per pixel).
PIXEL_BOUND = 8.0


def gaussian_kl_estimate(action: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Single-sample estimate of ``KL(pi || p_pretrained)`` for one denoising step, per row.

    ``||a - mean||^2 / (2 std^2) - d / 2`` with ``d`` the number of pixels. For a policy
    ``N(mean + delta, std^2 I)`` (the pretrained Gaussian plus a learned mean correction,
    DPOK's parameterisation) its expectation is exactly ``||delta||^2 / (2 std^2)``, the
    KL; for the pretrained policy it is zero on average. It equals
    ``-log p_pretrained(a) - H(p_pretrained)``, the KL-control term of Jaques et al. (2017)
    centred so that an unchanged policy pays nothing; a policy with another std must add
    its own entropy difference ``H(pi) - H(p_pretrained)`` to get ``-KL`` in expectation
    (only the agent knows its entropy; :class:`genenvs.rewards.KLControl` has the same
    convention). A policy that outputs the mean without noise earns ``+d/2`` per step.
    """
    d = int(np.prod(action.shape[1:]))
    sq = (action - mean).pow(2).flatten(1).sum(dim=1).double()
    return sq / (2.0 * std.double() ** 2) - d / 2.0


class DenoisingEpisodes:
    """``n`` denoising episodes of one task (policy, scorer, KL coefficient)."""

    def __init__(self, policy: DDIMPolicy, scorer: Scorer, n: int, kl_coef: float = 0.0) -> None:
        if kl_coef < 0:
            raise ValueError(f"kl_coef must be >= 0, got {kl_coef}")
        self.policy, self.scorer, self.n = policy, scorer, int(n)
        self.kl_coef = float(kl_coef)
        self.K = policy.num_steps
        self.size = policy.model.config.image_size
        shape = (self.n, 1, self.size, self.size)
        self.x = torch.zeros(shape)
        self.mean = torch.zeros(shape)
        self.std = torch.ones(self.n)
        self.steps = np.zeros(self.n, dtype=np.int64)
        self.labels = np.zeros(self.n, dtype=np.int64)
        self.kl_total = np.zeros(self.n)
        self.done = np.ones(self.n, dtype=bool)
        self.last_score: list[float | None] = [None] * self.n

    # ---------------------------------------------------------------- spaces
    def observation_space(self) -> spaces.Dict:
        """Single-episode observation space (the docstring of ImageGenEnv lists the fields)."""
        return spaces.Dict(
            {
                "image": spaces.Box(-PIXEL_BOUND, PIXEL_BOUND, (1, self.size, self.size), np.float32),
                "t": spaces.Discrete(self.policy.schedule.num_train_steps),
                "step": spaces.Discrete(self.K + 1),
                "context": spaces.Discrete(NUM_CLASSES),
            }
        )

    def action_space(self) -> spaces.Box:
        return spaces.Box(-PIXEL_BOUND, PIXEL_BOUND, (1, self.size, self.size), np.float32)

    # ---------------------------------------------------------------- dynamics
    def reset_rows(self, rows: np.ndarray, rngs: list[np.random.Generator], labels: list[int | None] | None = None) -> None:
        """Start new episodes: draw the requested digit (unless given) and x_T from each row's RNG."""
        rows = np.asarray(rows, dtype=np.int64)
        labels = [None] * rows.size if labels is None else [checked_index(v, NUM_CLASSES, "label (the requested digit)") for v in labels]
        for row, rng, label in zip(rows, rngs, labels):
            drawn = int(rng.integers(NUM_CLASSES))  # drawn even when given, so x_T does not depend on it
            if label is not None:
                drawn = label
            noise = rng.standard_normal((1, self.size, self.size)).astype(np.float32)
            self.x[row] = torch.from_numpy(np.clip(noise, -PIXEL_BOUND, PIXEL_BOUND))
            self.labels[row] = drawn
        self.steps[rows] = 0
        self.kl_total[rows] = 0.0
        self.done[rows] = False
        for row in rows:
            self.last_score[row] = None
        self._refresh(rows)

    def _refresh(self, rows: np.ndarray) -> None:
        """The pretrained Gaussian over the next image, for ``rows`` (one batched forward)."""
        if rows.size == 0:
            return
        idx = torch.as_tensor(rows)
        mean, std = self.policy.gaussian(self.x[idx], torch.as_tensor(self.steps[rows]), torch.as_tensor(self.labels[rows]))
        self.mean[idx] = mean
        self.std[idx] = std

    def validate(self, actions: np.ndarray, rows: np.ndarray) -> torch.Tensor:
        expected = (self.n, 1, self.size, self.size)
        if actions.shape != expected:
            raise InvalidActionError(f"expected actions of shape {expected} (the next images x_t-1), got {actions.shape}")
        chosen = actions[rows]
        if not np.isfinite(chosen).all():
            raise InvalidActionError("actions must be finite; got NaN or inf pixels")
        if np.abs(chosen).max(initial=0.0) > PIXEL_BOUND:
            raise InvalidActionError(f"pixel values of an action must lie in [-{PIXEL_BOUND}, {PIXEL_BOUND}], got max |x| = {np.abs(chosen).max():.3g}")
        return torch.as_tensor(chosen, dtype=torch.float32)

    def step(self, actions: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[int, dict[str, Any]]]:
        """Apply one denoising step to the ``active`` rows; returns rewards, finished, final infos."""
        rows = np.flatnonzero(active)
        x_next = self.validate(np.asarray(actions), rows)
        rewards = np.zeros(self.n)
        idx = torch.as_tensor(rows)
        if self.kl_coef:
            kl = gaussian_kl_estimate(x_next, self.mean[idx], self.std[idx]).numpy()
            rewards[rows] -= self.kl_coef * kl
            self.kl_total[rows] -= self.kl_coef * kl
        self.x[idx] = x_next
        self.steps[rows] += 1
        finished = np.zeros(self.n, dtype=bool)
        finished[rows] = self.steps[rows] >= self.K
        infos = self._finish(np.flatnonzero(finished), rewards)
        self.done |= finished
        self._refresh(rows[~finished[rows]])
        return rewards, finished, infos

    def sample_of(self, row: int) -> np.ndarray:
        """The image as an artefact: float32 ``(H, W)`` in [0, 1]."""
        return ((self.x[row, 0].clamp(-1.0, 1.0) + 1.0) / 2.0).numpy().copy()

    def _finish(self, rows: np.ndarray, rewards: np.ndarray) -> dict[int, dict[str, Any]]:
        """Score the finished rows in one batched call."""
        if rows.size == 0:
            return {}
        samples = [self.sample_of(r) for r in rows]
        batch = SampleBatch(samples=samples, contexts=[int(self.labels[r]) for r in rows], valid=np.ones(rows.size, dtype=bool))
        result = self.scorer(batch)
        rewards[rows] += result.scores
        infos = {}
        for k, row in enumerate(rows):
            components = {"kl_pretrained": float(self.kl_total[row])} if self.kl_coef else {}
            components.update({name: float(values[k]) for name, values in result.components.items()})
            infos[int(row)] = {
                "sample": samples[k],
                "valid": bool(result.valid[k]),
                "score": float(result.scores[k]),
                "reward_components": components,
                "label": int(self.labels[row]),
                RECORD_KEY: dumps_record({"image": encode_array(samples[k]), "label": int(self.labels[row])}),
            }
            self.last_score[row] = float(result.scores[k])
        return infos

    def score_records(self, records: list[dict[str, Any]]) -> ScoreResult:
        """Score stored ``{"image", "label"}`` records (final images in [0, 1]) with this engine's reward."""
        check_rescorable(self.scorer, "this ImageGen-v0")
        shape = (self.size, self.size)
        samples = [decode_array(r["image"]).astype(np.float32) for r in records]
        for i, image in enumerate(samples):
            if image.shape != shape or not (np.isfinite(image).all() and 0.0 <= image.min() and image.max() <= 1.0):
                raise ValueError(f"record {i}: an ImageGen-v0 sample is a {shape} image with pixels in [0, 1], got shape {image.shape}, pixels in [{image.min():.3g}, {image.max():.3g}]")
        labels = [checked_index(r["label"], NUM_CLASSES, "label (the requested digit)") for r in records]
        return self.scorer(SampleBatch(samples=samples, contexts=labels, valid=np.ones(len(records), dtype=bool)))

    # ---------------------------------------------------------------- views
    def observation(self) -> dict[str, np.ndarray]:
        t = self.policy.timesteps[self.steps]
        return {"image": self.x.numpy().copy(), "t": t.astype(np.int64), "step": self.steps.copy(), "context": self.labels.copy()}

    def row_observation(self, row: int) -> dict[str, Any]:
        return {
            "image": self.x[row].numpy().copy(),
            "t": int(self.policy.timesteps[self.steps[row]]),
            "step": int(self.steps[row]),
            "context": int(self.labels[row]),
        }

    def step_info(self) -> dict[str, np.ndarray]:
        """Batched per-step info: the pretrained Gaussian of every row (rows not done)."""
        live = ~self.done
        return {"pretrained_mean": self.mean.numpy().copy(), "_pretrained_mean": live, "pretrained_std": self.std.numpy().copy(), "_pretrained_std": live.copy()}

    def row_step_info(self, row: int) -> dict[str, Any]:
        if self.done[row]:
            return {}
        return {"pretrained_mean": self.mean[row].numpy().copy(), "pretrained_std": float(self.std[row])}

    def render_rgb(self, row: int, scale: int = 8) -> np.ndarray:
        return to_rgb(self.sample_of(row), scale)

    def render_text(self, row: int) -> str:
        head = f"digit {self.labels[row]}  step {self.steps[row]}/{self.K}  t={self.policy.timesteps[self.steps[row]]}"
        if self.last_score[row] is not None:
            head += f"  score={self.last_score[row]:.4f}"
        return head + "\n" + ascii_art(self.sample_of(row))

    # ---------------------------------------------------------------- identity
    def identity(self, data: dict[str, str]) -> dict[str, Any]:
        return {
            "task": "digits-ddpm-denoising",
            "version": "1",
            "params": {"num_steps": self.K, "eta": self.policy.eta, "image_size": self.size, "timesteps": self.policy.timesteps.tolist()},
            "scorer": self.scorer.identity(),
            "data": data,
        }

    def step_reward_identities(self, data: dict[str, str]) -> list[dict[str, Any]]:
        if not self.kl_coef:
            return []
        return [{"name": "kl_pretrained", "version": "1", "params": {"kl_coef": self.kl_coef, "model": data.get("denoiser")}}]
