"""DDPO: policy gradient over the denoising MDP of ImageGen-v0, with DPOK's KL as an option.

Black et al. (2023) treat a K-step diffusion sampler as an MDP whose actions are the next,
less noisy images (ImageGen-v0 is that MDP). The policy is a trainable copy of the
pretrained denoiser; at step k it is the Gaussian ``N(mu_theta(x_t, k, c), sigma_k^2 I)``
with the sampler's own ``sigma_k``, so only the mean is learned. With the normalised
advantage ``A`` of the image's return (DDPO normalises per prompt; here per requested
digit), each update minimises, averaged over the sampled steps,

* ``loss="sf"`` (DDPO-SF):  ``-A * log pi_theta(x_{t-1} | x_t)``, one gradient step per batch;
* ``loss="is"`` (DDPO-IS):  ``-min(rho A, clip(rho, 1 - eps, 1 + eps) A)`` with
  ``rho = pi_theta / pi_old`` (PPO's clipped surrogate), several steps per batch;

plus, with ``kl_coef > 0``, DPOK's regulariser (Fan et al., 2023): the exact per-step
``KL(pi_theta || p_pretrained) = ||mu_theta - mu_pretrained||^2 / (2 sigma_k^2)`` at the
sampled states, with ``mu_pretrained`` read from the env's ``info["pretrained_mean"]``.

Rollouts run in ImageGen's native vector env (``batch_size`` images denoised in lock
step); the policy and every tensor it touches live on ``--device``. ``random`` and
``prior`` on ImageGen-v0 use the same loop (:func:`train_reference`): uniform actions in
the action box, and the pretrained sampler itself.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from baselines.common.run_logger import RunLogger
from genenvs.image.denoising import PIXEL_BOUND
from genenvs.image.diffusion import DDIMPolicy


@dataclasses.dataclass
class Args:
    batch_size: int = 64  # images per round of sampling (the vector env's width)
    loss: str = "is"  # "is": DDPO-IS (clipped importance sampling); "sf": DDPO-SF (score function)
    lr: float = 1e-4
    epochs: int = 1  # passes over each batch ("is" only; "sf" is on-policy)
    minibatches: int = 2  # optimiser steps per pass ("sf" always takes one)
    clip_range: float = 0.2  # eps of the clipped ratio ("is")
    adv_clip: float = 5.0  # advantages are clipped to +-adv_clip (DDPO)
    advantage_by_digit: bool = True  # normalise returns per requested digit (DDPO's per-prompt statistics)
    kl_coef: float = 0.0  # DPOK: weight of the mean per-step KL to the pretrained model
    max_grad_norm: float = 1.0
    stored_samples: int = 10  # best images kept in result.json (256 floats each)

    def __post_init__(self) -> None:
        if self.loss not in ("is", "sf"):
            raise ValueError(f"loss must be 'is' (DDPO-IS) or 'sf' (DDPO-SF), got {self.loss!r}")
        if self.loss == "sf" and self.epochs != 1:
            raise ValueError("the score-function loss is on-policy: use epochs=1, or loss='is' for several passes")
        if self.kl_coef < 0:
            raise ValueError(f"kl_coef must be >= 0, got {self.kl_coef}")
        if self.batch_size < self.minibatches:
            raise ValueError(f"batch_size ({self.batch_size}) must be at least minibatches ({self.minibatches})")


class DenoisingPolicy(nn.Module):
    """A trainable copy of the pretrained denoiser as a Gaussian policy over the next image.

    The mean is the DDIM step of :class:`genenvs.image.diffusion.DDIMPolicy` computed with
    this copy's noise prediction (the same formula, differentiable and on any device);
    the std is the sampler's, fixed. Before any update it reproduces the env's
    ``info["pretrained_mean"]``.
    """

    def __init__(self, sampler: DDIMPolicy) -> None:
        super().__init__()
        self.denoiser = copy.deepcopy(sampler.model).requires_grad_(True)
        abar = sampler.schedule.alpha_bar
        visited = torch.as_tensor(sampler.timesteps)
        a_t, a_s = abar[visited[:-1]], abar[visited[1:]]
        std = torch.as_tensor(sampler.stds, dtype=torch.float64)
        # Indexed by the number of steps already taken, k = 0..K-1.
        self.register_buffer("t", visited[:-1].long())
        self.register_buffer("sqrt_abar_t", a_t.sqrt().float())
        self.register_buffer("sqrt_1m_abar_t", (1 - a_t).sqrt().float())
        self.register_buffer("sqrt_abar_s", a_s.sqrt().float())
        self.register_buffer("direction", (1 - a_s - std**2).sqrt().float())
        self.register_buffer("std", std.float())

    def mean(self, x: torch.Tensor, step: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """``mu_theta(x_t)`` for rows at step index ``step``: ``(n, 1, H, W)``."""
        eps = self.denoiser(x, self.t[step], labels)
        a_t, s_t = self.sqrt_abar_t[step].view(-1, 1, 1, 1), self.sqrt_1m_abar_t[step].view(-1, 1, 1, 1)
        x0_hat = ((x - s_t * eps) / a_t).clamp(-1.0, 1.0)
        eps_hat = (x - a_t * x0_hat) / s_t
        return self.sqrt_abar_s[step].view(-1, 1, 1, 1) * x0_hat + self.direction[step].view(-1, 1, 1, 1) * eps_hat


def gaussian_log_prob(action: torch.Tensor, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """``log N(action; mean, std^2 I)`` per row, summed over pixels; ``std`` is ``(n,)``."""
    d = action[0].numel()
    sq = (action - mean).pow(2).flatten(1).sum(1)
    return -sq / (2 * std**2) - d * (std.log() + 0.5 * math.log(2 * math.pi))


def gaussian_kl(mean: torch.Tensor, reference_mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """Exact ``KL(N(mean, std^2 I) || N(reference_mean, std^2 I))`` per row (>= 0)."""
    return (mean - reference_mean).pow(2).flatten(1).sum(1) / (2 * std**2)


def normalised_advantages(returns: np.ndarray, groups: np.ndarray, clip: float) -> np.ndarray:
    """``(R - mean) / std`` within each group of rows (one column per step), clipped.

    Groups with a single member fall back to the statistics of the whole batch.
    """
    adv = np.empty_like(returns)
    for g in np.unique(groups):
        rows = groups == g
        ref = returns[rows] if rows.sum() > 1 else returns
        adv[rows] = (returns[rows] - ref.mean(0)) / (ref.std(0) + 1e-8)
    return np.clip(adv, -clip, clip)


@dataclasses.dataclass
class Batch:
    """``B`` finished denoising episodes of ``K`` steps, tensors on the policy's device."""

    states: torch.Tensor  # (B, K, 1, H, W): x_t before each step
    actions: torch.Tensor  # (B, K, 1, H, W): the next images
    labels: torch.Tensor  # (B,): requested digits
    log_probs: torch.Tensor  # (B, K): log pi_old(action | state)
    pretrained_means: torch.Tensor  # (B, K, 1, H, W): the env's pretrained Gaussian means
    kl: torch.Tensor  # (B, K): KL(pi_old || p_pretrained) of each step
    rewards: np.ndarray  # (B, K): the env's rewards (the score at the last step, KL terms if the env has kl_coef)
    scores: np.ndarray  # (B,): the reward function's value of each final image
    valid: np.ndarray  # (B,): always True on ImageGen-v0
    samples: np.ndarray  # (B, H, W): final images in [0, 1]
    records: list[str] | None  # info["sample_record"] of each episode: what verification re-scores


#: ``actor(x, step, labels, pretrained_mean, pretrained_std) -> (action, mean of the sampling Gaussian or None)``
Actor = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor | None]]


class Rollout:
    """Runs an actor in ImageGen's native vector env, one batch of whole episodes at a time."""

    def __init__(self, env: gym.vector.VectorEnv, device: torch.device, seed: int) -> None:
        self.env, self.device = env, device
        self.num_steps = env.unwrapped.engine.K
        self.obs, self.info = env.reset(seed=seed)
        self.generator = torch.Generator(device=device).manual_seed(seed)

    def noise(self, like: torch.Tensor) -> torch.Tensor:
        return torch.randn(like.shape, generator=self.generator, device=self.device)

    @torch.no_grad()
    def collect(self, actor: Actor) -> Batch:
        dev = self.device
        labels = torch.as_tensor(self.obs["context"], device=dev)  # fixed for the whole episode
        steps, rewards = [], []
        for _ in range(self.num_steps):
            x = torch.as_tensor(self.obs["image"], device=dev)
            pre_mean = torch.as_tensor(self.info["pretrained_mean"], device=dev)
            std = torch.as_tensor(self.info["pretrained_std"], device=dev)
            action, mean = actor(x, torch.as_tensor(self.obs["step"], device=dev), labels, pre_mean, std)
            action = action.clamp(-PIXEL_BOUND, PIXEL_BOUND)
            mean = pre_mean if mean is None else mean
            steps.append((x, action, pre_mean, gaussian_log_prob(action, mean, std), gaussian_kl(mean, pre_mean, std)))
            self.obs, reward, terminated, _, self.info = self.env.step(action.cpu().numpy())
            rewards.append(reward)
        if not terminated.all():
            raise RuntimeError(f"ImageGen episodes should all end after {self.num_steps} steps")
        states, actions, pre_means, log_probs, kls = (torch.stack(column, 1) for column in zip(*steps))
        final = self.info["final_info"]
        return Batch(
            states=states,
            actions=actions,
            labels=labels,
            log_probs=log_probs,
            pretrained_means=pre_means,
            kl=kls,
            rewards=np.stack(rewards, 1),
            scores=np.asarray(final["score"], dtype=np.float64),
            valid=np.asarray(final["valid"], dtype=bool),
            samples=np.asarray(final["sample"]),
            records=list(final["sample_record"]) if "sample_record" in final else None,
        )


def policy_actor(policy: DenoisingPolicy, rollout: Rollout) -> Actor:
    def act(x, step, labels, pre_mean, std):
        mean = policy.mean(x, step, labels)
        return mean + std.view(-1, 1, 1, 1) * rollout.noise(mean), mean

    return act


def pretrained_actor(rollout: Rollout) -> Actor:
    """The pretrained sampler itself (``prior``): no network of ours, the env's Gaussian."""
    return lambda x, step, labels, pre_mean, std: (pre_mean + std.view(-1, 1, 1, 1) * rollout.noise(pre_mean), None)


def uniform_actor(rollout: Rollout) -> Actor:
    """Uniform actions in the action box (``random``): the floor."""

    def act(x, step, labels, pre_mean, std):
        u = torch.rand(x.shape, generator=rollout.generator, device=x.device)
        return (2 * u - 1) * PIXEL_BOUND, None

    return act


class DDPO:
    """The update of DDPO-IS / DDPO-SF (+ DPOK's KL) from one :class:`Batch`."""

    def __init__(self, policy: DenoisingPolicy, args: Args) -> None:
        self.policy, self.args = policy, args
        self.optimiser = torch.optim.Adam(policy.parameters(), lr=args.lr)

    def update(self, batch: Batch) -> dict[str, float]:
        args, dev = self.args, batch.log_probs.device
        B, K = batch.log_probs.shape
        returns_to_go = np.flip(np.cumsum(np.flip(batch.rewards, 1), 1), 1)
        groups = batch.labels.cpu().numpy() if args.advantage_by_digit else np.zeros(B, dtype=np.int64)
        advantages = torch.as_tensor(normalised_advantages(returns_to_go, groups, args.adv_clip), dtype=torch.float32, device=dev)
        steps = torch.arange(K, device=dev).repeat(B, 1)
        epochs, minibatches = (1, 1) if args.loss == "sf" else (args.epochs, args.minibatches)
        stats: dict[str, list[float]] = {"loss": [], "kl_penalty": []} | ({"clip_fraction": []} if args.loss == "is" else {})
        for _ in range(epochs):
            for rows in torch.randperm(B, device=dev).chunk(minibatches):
                # every (episode, step) pair of the minibatch is one row: (b, K, ...) -> (b * K, ...)
                state, action, old_log_prob, pre_mean, adv, step = (t[rows].flatten(0, 1) for t in (batch.states, batch.actions, batch.log_probs, batch.pretrained_means, advantages, steps))
                std = self.policy.std[step]
                mean = self.policy.mean(state, step, batch.labels[rows].repeat_interleave(K))
                log_prob = gaussian_log_prob(action, mean, std)
                if args.loss == "sf":
                    surrogate = adv * log_prob
                else:
                    ratio = (log_prob - old_log_prob).exp()
                    surrogate = torch.min(ratio * adv, ratio.clamp(1 - args.clip_range, 1 + args.clip_range) * adv)
                    stats["clip_fraction"].append(((ratio - 1).abs() > args.clip_range).float().mean().item())
                kl = gaussian_kl(mean, pre_mean, std).mean()
                loss = -surrogate.mean() + args.kl_coef * kl
                self.optimiser.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.policy.parameters(), args.max_grad_norm)
                self.optimiser.step()
                stats["loss"].append(loss.item())
                stats["kl_penalty"].append(kl.item())
        return {k: float(np.mean(v)) for k, v in stats.items()}


def digit_accuracy(samples: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of images the shipped digit classifier reads as the requested digit."""
    from genenvs.image.digits import to_model_range
    from genenvs.image.pretrained import load_classifier

    with torch.no_grad():
        predicted = load_classifier()(to_model_range(samples)).argmax(1).numpy()
    return float((predicted == labels).mean())


def is_denoising_env(env_id: str) -> bool:
    """Whether ``env_id`` is a denoising MDP (ImageGen-v0, or another ID registered on its class)."""
    from genenvs.image.env import ImageGenEnv

    return gym.spec(env_id).entry_point == f"{ImageGenEnv.__module__}:{ImageGenEnv.__name__}"


def make_image_env(env_id: str, batch_size: int, env_kwargs: dict[str, Any] | None) -> gym.vector.VectorEnv:
    """ImageGen's native vector env (SAME_STEP autoreset: each batch starts where the last ended)."""
    if not is_denoising_env(env_id):
        raise ValueError(f"this loop trains on denoising environments (ImageGen-v0); {env_id} is not one")
    return gym.make_vec(env_id, batch_size, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP, **(env_kwargs or {}))


def _run(rollout: Rollout, actor: Actor, learner: DDPO | None, cli, out, record, stored_samples: int) -> dict[str, Any]:
    """The loop shared by ``ddpo``, ``prior`` and ``random``: sample, score, update, log."""
    env = rollout.env
    logger = RunLogger(out, record, main_metric="mean_score")
    best_scores, best_samples = np.empty(0), np.empty((0, *env.single_observation_space["image"].shape[1:]), dtype=np.float32)
    used, step = 0, 0
    bar = tqdm(total=cli.budget, desc=f"{cli.algo} {cli.env}", unit="samples")
    while used < cli.budget:
        batch = rollout.collect(actor)
        stats = learner.update(batch) if learner is not None else {}
        used += len(batch.scores)
        step += 1
        metrics = {
            "mean_score": float(batch.scores.mean()),
            "max_score": float(batch.scores.max()),
            "mean_return": float(batch.rewards.sum(1).mean()),
            "digit_accuracy": digit_accuracy(batch.samples, batch.labels.cpu().numpy()),
            "samples": used,
            **stats,
        }
        if cli.algo != "random":  # uniform actions have no Gaussian to compare with the pretrained one
            metrics["kl_to_prior"] = float(batch.kl.sum(1).mean())
            metrics["kl_per_step"] = float(batch.kl.mean())
        logger.log(step, **metrics)
        bar.update(len(batch.scores))
        bar.set_postfix(score=f"{metrics['mean_score']:.4f}", acc=f"{metrics['digit_accuracy']:.2f}")
        scores, images = np.concatenate([best_scores, batch.scores]), np.concatenate([best_samples, batch.samples])
        keep = np.argsort(-scores, kind="stable")[:stored_samples]
        best_scores, best_samples = scores[keep], images[keep]
    bar.close()
    last = logger.rows[-1]
    final = logger.set_final_batch(batch.records, batch.scores, batch.valid)  # stored whole: verifiable
    final.update(digit_accuracy_last=last["digit_accuracy"], best_score=float(best_scores[0]))
    if "kl_to_prior" in last:
        final["kl_to_prior_last"] = last["kl_to_prior"]
    provenance = env.unwrapped.provenance
    env.close()
    samples = [{"sample": image.tolist(), "score": float(score)} for image, score in zip(best_samples, best_scores)]
    return logger.finish(final, samples, provenance, {"unit": "samples", "value": cli.budget, "used": used}, x="samples")


def train(args: Args, cli, out, record, env_kwargs) -> dict[str, Any]:
    """``--algo ddpo``: fine-tune a copy of the pretrained denoiser on the env's reward."""
    rollout = Rollout(make_image_env(cli.env, args.batch_size, env_kwargs), cli.device, cli.seed)
    policy = DenoisingPolicy(rollout.env.unwrapped.engine.policy).to(cli.device)
    result = _run(rollout, policy_actor(policy, rollout), DDPO(policy, args), cli, out, record, args.stored_samples)
    policy.denoiser.save(Path(out) / "checkpoint.pt", metadata={"algo": "ddpo", "metrics": result["metrics"]})
    return result


def train_reference(algo: str, batch_size: int, cli, out, record, env_kwargs) -> dict[str, Any]:
    """``random`` (uniform actions in the box) or ``prior`` (the pretrained sampler) on ImageGen-v0."""
    rollout = Rollout(make_image_env(cli.env, batch_size, env_kwargs), cli.device, cli.seed)
    actor = {"random": uniform_actor, "prior": pretrained_actor}[algo](rollout)
    return _run(rollout, actor, None, cli, out, record, stored_samples=Args.stored_samples)
