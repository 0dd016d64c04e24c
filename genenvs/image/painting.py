"""The dynamics and rewards of StrokeGen-v0, written once for n episodes held as tensors.

Learning to Paint (Huang et al., 2019): the agent sees its canvas and a target image and
paints a bundle of strokes per step for a fixed number of steps. Rewards (``reward=``):

* ``"l2"`` (default): ``(d_{t-1} - d_t) / d_0`` per step with ``d`` the pixel MSE between
  canvas and target, so the return is ``1 - d_T / d_0`` (the fraction of the initial error
  removed; 1 is a perfect copy, negative is worse than the blank canvas);
* ``"discriminator"``: the SPIRAL variant (Ganin et al., 2018): reward only at the end,
  ``log D(canvas, target)`` from a conditional discriminator trained online to tell
  ``(target, target)`` pairs (real) from ``(canvas, target)`` pairs (generated), the
  pairing Learning to Paint's WGAN reward uses; it is a
  :class:`genenvs.rewards.DiscriminatorReward`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from gymnasium import spaces

from genenvs.core.errors import InvalidActionError
from genenvs.core.rescoring import RECORD_KEY, NotRescorableError, decode_array, dumps_record, encode_array, result_of_final_infos
from genenvs.image.digits import checked_index, digit_images
from genenvs.image.render import ascii_art, side_by_side
from genenvs.image.rewards import new_image_critic
from genenvs.image.strokes import MAX_RADIUS, PARAMS_PER_STROKE, SEGMENTS, render_strokes
from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult
from genenvs.rewards.discriminator import DiscriminatorReward

PAINT_REWARDS = ("l2", "discriminator")


def canvas_target_pairs(batch: SampleBatch) -> torch.Tensor:
    """``(n, 2, H, W)`` in [-1, 1]: channel 0 the canvas (the sample), channel 1 the target (the context)."""
    canvas = np.stack([np.asarray(s, dtype=np.float32) for s in batch.samples])
    target = np.stack([np.asarray(c, dtype=np.float32) for c in batch.contexts])
    return torch.tensor(np.stack([canvas, target], axis=1) * 2.0 - 1.0)


def paint_discriminator(canvas_size: int, seed: int = 0, **kwargs: Any) -> DiscriminatorReward:
    """Conditional discriminator over (canvas, target) pairs; real pairs are (digit, digit)."""
    real, _ = digit_images(canvas_size, "train")
    pairs = np.stack([real, real], axis=1) * 2.0 - 1.0
    return DiscriminatorReward(pairs.astype(np.float32), model=new_image_critic(2, seed), featurize=canvas_target_pairs, seed=seed, **kwargs)


class PaintingEpisodes:
    """``n`` painting episodes: canvases, targets, and the reward bookkeeping."""

    def __init__(self, n: int, canvas_size: int = 32, max_steps: int = 10, strokes_per_step: int = 5, split: str = "train", reward: str = "l2", reward_kwargs: dict[str, Any] | None = None) -> None:
        if reward not in PAINT_REWARDS:
            raise ValueError(f"unknown reward {reward!r}; valid rewards: {', '.join(PAINT_REWARDS)}")
        if reward_kwargs and reward != "discriminator":
            raise ValueError(f"reward {reward!r} takes no reward_kwargs")
        if not 16 <= canvas_size <= 128:
            raise ValueError(f"canvas_size must be in [16, 128], got {canvas_size}")
        if max_steps < 1 or strokes_per_step < 1:
            raise ValueError(f"max_steps and strokes_per_step must be >= 1, got {max_steps} and {strokes_per_step}")
        self.n, self.size = int(n), int(canvas_size)
        self.max_steps, self.strokes_per_step = int(max_steps), int(strokes_per_step)
        self.split, self.reward = split, reward
        self.reward_kwargs = dict(reward_kwargs or {})
        images, self.target_labels = digit_images(self.size, split)
        self.targets_pool = torch.tensor(images)
        self.scorer: Scorer | None = paint_discriminator(self.size, **self.reward_kwargs) if reward == "discriminator" else None
        self.canvas = torch.zeros(self.n, self.size, self.size)
        self.target = torch.zeros(self.n, self.size, self.size)
        self.target_index = np.zeros(self.n, dtype=np.int64)
        self.steps = np.zeros(self.n, dtype=np.int64)
        #: every bundle of strokes painted this episode, kept for the episode's record
        self.strokes = np.zeros((self.n, self.max_steps, self.strokes_per_step * PARAMS_PER_STROKE), dtype=np.float32)
        self.d0 = np.ones(self.n)
        self.d = np.ones(self.n)
        self.done = np.ones(self.n, dtype=bool)
        self.last_score: list[float | None] = [None] * self.n

    # ---------------------------------------------------------------- spaces
    def observation_space(self) -> spaces.Dict:
        image = spaces.Box(0.0, 1.0, (1, self.size, self.size), np.float32)
        return spaces.Dict({"canvas": image, "target": image, "step": spaces.Discrete(self.max_steps + 1)})

    def action_space(self) -> spaces.Box:
        return spaces.Box(0.0, 1.0, (self.strokes_per_step * PARAMS_PER_STROKE,), np.float32)

    # ---------------------------------------------------------------- dynamics
    def mse(self, rows: np.ndarray) -> np.ndarray:
        idx = torch.as_tensor(rows)
        return (self.canvas[idx] - self.target[idx]).pow(2).flatten(1).mean(dim=1).double().numpy()

    def reset_rows(self, rows: np.ndarray, rngs: list[np.random.Generator], target_indices: list[int | None] | None = None) -> None:
        """New episodes: a blank canvas and a target digit drawn from each row's RNG (unless given)."""
        rows = np.asarray(rows, dtype=np.int64)
        pool = len(self.targets_pool)
        name = f"target_index (split {self.split!r})"
        chosen = [None] * rows.size if target_indices is None else [checked_index(v, pool, name) for v in target_indices]
        for row, rng, index in zip(rows, rngs, chosen):
            drawn = int(rng.integers(pool))
            self.target_index[row] = drawn if index is None else index
        idx = torch.as_tensor(rows)
        self.target[idx] = self.targets_pool[torch.as_tensor(self.target_index[rows])]
        self.canvas[idx] = 0.0
        self.strokes[rows] = 0.0
        self.steps[rows] = 0
        self.d0[rows] = np.maximum(self.mse(rows), 1e-8)
        self.d[rows] = self.d0[rows]
        self.done[rows] = False
        for row in rows:
            self.last_score[row] = None

    def step(self, actions: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[int, dict[str, Any]]]:
        rows = np.flatnonzero(active)
        strokes = self.validate(np.asarray(actions), rows)
        self.strokes[rows, self.steps[rows]] = strokes.flatten(1).numpy()
        idx = torch.as_tensor(rows)
        self.canvas[idx] = render_strokes(self.canvas[idx], strokes)
        d_new = self.mse(rows)
        rewards = np.zeros(self.n)
        if self.reward == "l2":
            rewards[rows] = (self.d[rows] - d_new) / self.d0[rows]
        self.d[rows] = d_new
        self.steps[rows] += 1
        finished = np.zeros(self.n, dtype=bool)
        finished[rows] = self.steps[rows] >= self.max_steps
        infos = self._finish(np.flatnonzero(finished), rewards)
        self.done |= finished
        return rewards, finished, infos

    def validate(self, actions: np.ndarray, rows: np.ndarray) -> torch.Tensor:
        width = self.strokes_per_step * PARAMS_PER_STROKE
        if actions.shape != (self.n, width):
            raise InvalidActionError(f"expected actions of shape ({self.n}, {width}) ({self.strokes_per_step} strokes x {PARAMS_PER_STROKE} parameters), got {actions.shape}")
        chosen = actions[rows]
        if not np.isfinite(chosen).all():
            raise InvalidActionError("stroke parameters must be finite; got NaN or inf")
        if chosen.size and (chosen.min() < 0.0 or chosen.max() > 1.0):
            raise InvalidActionError(f"stroke parameters must lie in [0, 1], got values in [{chosen.min():.3g}, {chosen.max():.3g}]")
        return torch.as_tensor(chosen, dtype=torch.float32).reshape(len(rows), self.strokes_per_step, PARAMS_PER_STROKE)

    def _finish(self, rows: np.ndarray, rewards: np.ndarray) -> dict[int, dict[str, Any]]:
        if rows.size == 0:
            return {}
        samples = [self.canvas[r].numpy().copy() for r in rows]
        relative = 1.0 - self.d[rows] / self.d0[rows]
        if self.scorer is not None:
            batch = SampleBatch(samples=samples, contexts=[self.target[r].numpy() for r in rows])
            result = self.scorer(batch)
            rewards[rows] += result.scores
            scores, components = result.scores, result.components
        else:
            scores, components = relative, {"l2": relative}
        infos = {}
        for k, row in enumerate(rows):
            infos[int(row)] = {
                "sample": samples[k],
                "valid": True,
                "score": float(scores[k]),
                "reward_components": {name: float(values[k]) for name, values in components.items()},
                "mse": float(self.d[row]),
                "relative_l2": float(relative[k]),
                "target_index": int(self.target_index[row]),
                "target_label": int(self.target_labels[self.target_index[row]]),
                RECORD_KEY: dumps_record({"strokes": encode_array(self.strokes[row]), "target_index": int(self.target_index[row])}),
            }
            self.last_score[row] = float(scores[k])
        return infos

    def score_records(self, records: list[dict[str, Any]]) -> ScoreResult:
        """Score stored ``{"strokes", "target_index"}`` records by painting them again on blank canvases.

        Replaying the strokes (not reading a stored canvas) also shows the canvas was paintable.
        """
        if self.scorer is not None:
            raise NotRescorableError("StrokeGen-v0 with reward='discriminator' scores with a discriminator trained online; a stored canvas's score depends on that training state")
        n, shape = len(records), self.strokes.shape[1:]
        strokes = np.stack([decode_array(r["strokes"]) for r in records]) if n else np.zeros((0, *shape), dtype=np.float32)
        if strokes.shape[1:] != shape:
            raise ValueError(f"StrokeGen-v0 records hold {shape} stroke parameters per episode ({self.max_steps} steps), got {strokes.shape[1:]}")
        replay = PaintingEpisodes(n, self.size, self.max_steps, self.strokes_per_step, self.split, self.reward)
        replay.reset_rows(np.arange(n), [np.random.default_rng(0)] * n, [r["target_index"] for r in records])
        active = np.ones(n, dtype=bool)
        infos: dict[int, dict[str, Any]] = {}
        for t in range(self.max_steps):
            infos.update(replay.step(strokes[:, t], active)[2])
        return result_of_final_infos([infos[i] for i in range(n)])

    # ---------------------------------------------------------------- views
    def observation(self) -> dict[str, np.ndarray]:
        return {"canvas": self.canvas[:, None].numpy().copy(), "target": self.target[:, None].numpy().copy(), "step": self.steps.copy()}

    def row_observation(self, row: int) -> dict[str, Any]:
        return {"canvas": self.canvas[row, None].numpy().copy(), "target": self.target[row, None].numpy().copy(), "step": int(self.steps[row])}

    def step_info(self) -> dict[str, np.ndarray]:
        return {}

    def row_step_info(self, row: int) -> dict[str, Any]:
        return {}

    def render_rgb(self, row: int, scale: int = 4) -> np.ndarray:
        """Canvas (left) and target (right)."""
        return side_by_side([self.canvas[row].numpy(), self.target[row].numpy()], scale=scale)

    def render_text(self, row: int) -> str:
        head = f"step {self.steps[row]}/{self.max_steps}  mse={self.d[row]:.4f}  (blank canvas {self.d0[row]:.4f})"
        if self.last_score[row] is not None:
            head += f"  score={self.last_score[row]:.4f}"
        sub = max(1, self.size // 16)  # at most ~16 text pixels a side
        canvas = ascii_art(self.canvas[row, sub // 2 :: sub, sub // 2 :: sub].numpy()).splitlines()
        target = ascii_art(self.target[row, sub // 2 :: sub, sub // 2 :: sub].numpy()).splitlines()
        return head + "\n" + "\n".join(f"{a} | {b}" for a, b in zip(canvas, target))

    # ---------------------------------------------------------------- identity
    def identity(self, data: dict[str, str]) -> dict[str, Any]:
        return {
            "task": "digits-stroke-painting",
            "version": "1",
            "params": {
                "canvas_size": self.size,
                "max_steps": self.max_steps,
                "strokes_per_step": self.strokes_per_step,
                "split": self.split,
                "max_radius": MAX_RADIUS,
                "segments": SEGMENTS,
            },
            "scorer": self.scorer.identity() if self.scorer is not None else {"name": "l2", "version": "1", "params": {"form": "(d_prev - d) / d_0"}},
            "data": data,
        }

    def step_reward_identities(self, data: dict[str, str]) -> list[dict[str, Any]]:
        return []
