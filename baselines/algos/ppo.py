"""Token-level PPO with an adaptive KL penalty to the prior: the RLHF recipe.

Schulman et al. (2017) for PPO; Ziegler et al. (2019) for the per-token penalty
``r_t - beta * (log pi(a_t|s_t) - log p_prior(a_t|s_t))`` with ``beta`` adapted so the
per-episode KL tracks ``target_kl``. The policy acts in the *native token-level vector
env* (``num_envs`` episodes per step, one batched GRU step), on the chosen device; the
update re-reads whole episodes with teacher forcing, with GAE over tokens.

The prior is the task's shipped LM reading the context as the policy does (for a prompted
task, the prompt, as the env's own KL-control term reads it; see
:func:`~baselines.common.loop.make_prior_policy`). Each update logs the KL of the batch
it sampled: ``kl_to_prior`` in nats per sample (mean over episodes of the sum over their
actions of ``log pi - log p_prior``) and ``kl_to_prior_per_token`` (the same sum over
all actions of the batch divided by their number). Tasks without a prior train without
the penalty and log neither.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from baselines.common.envs import budget_unit, make_token_env
from baselines.common.loop import make_prior_policy, plain_sample, sample_key
from baselines.common.policy import SequencePolicy, live_positions
from baselines.common.run_logger import RunLogger
from genenvs.wrappers import OracleBudgetVector


@dataclasses.dataclass
class Args:
    num_envs: int = 64
    episodes_per_update: int = 64
    lr: float = 1e-4
    epochs: int = 4
    minibatch_size: int = 32
    clip: float = 0.2
    gamma: float = 1.0
    gae_lambda: float = 0.95
    vf_coef: float = 0.5
    ent_coef: float = 0.0
    init_kl_coef: float = 0.05
    target_kl: float = 6.0
    kl_horizon: int = 10000
    batch_size: int = 64


class AdaptiveKL:
    """Ziegler et al.'s proportional controller for the KL coefficient."""

    def __init__(self, init: float, target: float, horizon: int) -> None:
        self.value, self.target, self.horizon = init, target, horizon

    def update(self, kl: float, n_steps: int) -> None:
        error = float(np.clip(kl / self.target - 1, -0.2, 0.2))
        self.value *= 1 + error * n_steps / self.horizon


class Rollout:
    """Runs the policy in the vector env and returns finished episodes."""

    def __init__(self, env, policy: SequencePolicy, device: torch.device, seed: int) -> None:
        self.env, self.policy, self.device = env, policy, device
        self.n = env.num_envs
        obs, info = env.reset(seed=seed)
        self.obs, self.mask = obs, info["action_mask"]
        self.h, self.last = policy.initial_state(self._contexts(obs), self.n)
        self.actions: list[list[int]] = [[] for _ in range(self.n)]
        self.rewards: list[list[float]] = [[] for _ in range(self.n)]
        #: the legal-action mask each action was sampled under: the update scores actions
        #: under the same masked distribution, so the PPO ratio is the behaviour policy's
        self.masks: list[list[np.ndarray]] = [[] for _ in range(self.n)]
        self.start_context = [self._row_context(obs, i) for i in range(self.n)]
        self.gen = torch.Generator(device=device).manual_seed(seed)
        self.steps = 0

    def _contexts(self, obs):
        return obs.get("context") if isinstance(obs, dict) else None

    def _row_context(self, obs, i):
        ctx = self._contexts(obs)
        if ctx is None:
            return None
        if isinstance(ctx, dict):
            return {k: v[i] for k, v in ctx.items()}
        return ctx[i]

    @torch.no_grad()
    def collect(self, episodes: int) -> list[dict]:
        done: list[dict] = []
        while len(done) < episodes:
            logits, self.h = self.policy.lm.step(self.last, self.h)
            mask_np = np.asarray(self.mask, dtype=bool)
            mask = torch.as_tensor(mask_np, device=self.device)
            logits = logits.masked_fill(~mask, float("-inf"))
            actions = torch.multinomial(torch.softmax(logits, -1), 1, generator=self.gen)[:, 0]
            acts = actions.cpu().numpy()
            obs, rewards, terminated, truncated, infos = self.env.step(acts)
            self.steps += self.n
            for i in range(self.n):
                self.actions[i].append(int(acts[i]))
                self.rewards[i].append(float(rewards[i]))
                self.masks[i].append(mask_np[i])
            self.last = actions
            ended = np.flatnonzero(terminated | truncated)
            for i in ended:
                final = {k: v[i] for k, v in infos["final_info"].items() if not k.startswith("_") and not isinstance(v, dict)}
                done.append({"context": self.start_context[i], "actions": self.actions[i], "rewards": self.rewards[i], "score": final.get("score", 0.0), "valid": bool(final.get("valid", True)), "sample": final.get("sample"), "record": final.get("sample_record"), "masks": np.stack(self.masks[i])})
                self.actions[i], self.rewards[i], self.masks[i] = [], [], []
                self.start_context[i] = self._row_context(obs, i)
            if ended.size:
                ctx = self._contexts(obs)
                sub = None if ctx is None else (({k: v[ended] for k, v in ctx.items()}) if isinstance(ctx, dict) else ctx[ended])
                h, first = self.policy.initial_state(sub, len(ended))
                idx = torch.as_tensor(ended, device=self.device)
                self.h[:, idx] = h
                self.last[idx] = first
            self.obs, self.mask = obs, infos["action_mask"]
        return done


def _stack_contexts(contexts):
    if contexts[0] is None:
        return None
    if isinstance(contexts[0], dict):
        return {k: np.stack([c[k] for c in contexts]) for k in contexts[0]}
    return np.stack(contexts)


def train(args: Args, cli, out, record, env_kwargs) -> dict:
    device = cli.device
    env = make_token_env(cli.env, args.num_envs, env_kwargs)
    unit = "oracle_calls" if budget_unit(cli.env) == "oracle_calls" else "env_steps"
    if unit == "oracle_calls":  # PMO's protocol: the budget counts unique scored molecules
        env = OracleBudgetVector(env, cli.budget)
    task = env.unwrapped.task
    L, V = task.max_length, len(task.vocab)
    policy = SequencePolicy.from_task(task).to(device)
    prior = make_prior_policy(task, device)
    optimiser = torch.optim.Adam(policy.parameters(), lr=args.lr)
    kl_ctl = AdaptiveKL(args.init_kl_coef, args.target_kl, args.kl_horizon)
    logger = RunLogger(out, record, main_metric="mean_score")
    rollout = Rollout(env, policy, device, cli.seed)
    best: dict[Any, tuple[float, Any]] = {}  # sample key -> (best score, the sample as JSON data)
    bar = tqdm(total=cli.budget, desc=f"ppo {cli.env}", unit=unit.replace("_", " "))
    update = 0
    used = lambda: env.tracker.calls if unit == "oracle_calls" else rollout.steps
    while used() < cli.budget:
        before, used_before = rollout.steps, used()
        episodes = rollout.collect(args.episodes_per_update)
        bar.update(used() - used_before)
        B = len(episodes)
        lengths = torch.tensor([len(e["actions"]) - (1 if e["actions"][-1] == 0 else 0) for e in episodes], device=device)
        tokens = torch.full((B, L), V, dtype=torch.long, device=device)
        env_rewards = torch.zeros(B, L + 1, device=device)
        masks = np.ones((B, L + 1, V), dtype=bool)
        for b, e in enumerate(episodes):
            acts = [a for a in e["actions"] if a != 0][:L]
            tokens[b, : len(acts)] = torch.tensor(acts, device=device)
            env_rewards[b, : len(e["rewards"])] = torch.tensor(e["rewards"], device=device)
            masks[b, : len(e["masks"])] = e["masks"]
        masks = torch.as_tensor(masks, device=device)
        contexts = _stack_contexts([e["context"] for e in episodes])
        live = live_positions(lengths, L).float()
        with torch.no_grad():
            old_logp, values, _ = policy.token_log_probs(contexts, tokens, lengths, masks, with_values=True)
            kl_tok = torch.zeros_like(old_logp)  # log pi(a_t|s_t) - log p_prior(a_t|s_t) at every action taken
            if prior is not None:
                kl_tok = (old_logp - prior.token_log_probs(contexts, tokens, lengths, masks)) * live
            rewards = env_rewards - kl_ctl.value * kl_tok
            advantages = torch.zeros_like(rewards)
            gae = torch.zeros(B, device=device)
            for t in reversed(range(L + 1)):
                next_v = values[:, t + 1] if t < L else torch.zeros(B, device=device)
                next_live = live[:, t + 1] if t < L else torch.zeros(B, device=device)
                delta = rewards[:, t] + args.gamma * next_v * next_live - values[:, t]
                gae = (delta + args.gamma * args.gae_lambda * next_live * gae) * live[:, t]
                advantages[:, t] = gae
            returns = advantages + values
            adv_mean = (advantages * live).sum() / live.sum()
            adv_std = (((advantages - adv_mean) ** 2) * live).sum().div(live.sum()).sqrt()
            norm_adv = (advantages - adv_mean) / (adv_std + 1e-8)
        for _ in range(args.epochs):
            for idx in torch.randperm(B, device=device).split(args.minibatch_size):
                sub_ctx = None if contexts is None else (({k: v[idx.cpu().numpy()] for k, v in contexts.items()}) if isinstance(contexts, dict) else contexts[idx.cpu().numpy()])
                logp, v, ent = policy.token_log_probs(sub_ctx, tokens[idx], lengths[idx], masks[idx], with_values=True)
                m = live[idx]
                ratio = (logp - old_logp[idx]).exp()
                a = norm_adv[idx]
                pg = -torch.min(ratio * a, ratio.clamp(1 - args.clip, 1 + args.clip) * a)
                vf = (v - returns[idx]) ** 2
                loss = ((pg + args.vf_coef * vf - args.ent_coef * ent) * m).sum() / m.sum()
                optimiser.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
                optimiser.step()
        kl_stats: dict[str, float] = {}
        if prior is not None:
            episode_kl = kl_tok.sum(1).mean().item()
            kl_ctl.update(episode_kl, rollout.steps - before)
            kl_stats = {"kl_to_prior": episode_kl, "kl_to_prior_per_token": kl_tok.sum().item() / live.sum().item(), "kl_coef": kl_ctl.value}
        update += 1
        scores = np.array([e["score"] for e in episodes])
        for e in episodes:
            if e["valid"]:
                key = sample_key(e["sample"])
                if float(e["score"]) > best.get(key, (-np.inf, None))[0]:
                    best[key] = (float(e["score"]), plain_sample(e["sample"]))
        extra = env.tracker.top_means() if unit == "oracle_calls" else {}
        logger.log(rollout.steps, **{unit: used()}, **extra, mean_score=scores.mean(), max_score=scores.max(), mean_return=float(env_rewards.sum(1).mean()), **kl_stats, validity=float(np.mean([e["valid"] for e in episodes])), loss=loss.item())
        bar.set_postfix(score=f"{scores.mean():.3f}", kl=f"{kl_stats.get('kl_to_prior', float('nan')):.2f}")
    bar.close()
    torch.save(policy.state_dict(), Path(out) / "checkpoint.pt")
    top = sorted(best.values(), key=lambda sv: -sv[0])[:100]
    last = logger.rows[-1]
    final_batch = logger.set_final_batch([e["record"] for e in episodes], [e["score"] for e in episodes], [e["valid"] for e in episodes])  # stored whole: verifiable
    metrics = {**final_batch, "best_score": top[0][0] if top else float("nan"), "updates": update, "env_steps": rollout.steps}
    if prior is not None:
        metrics.update(kl_to_prior_last=last["kl_to_prior"], kl_to_prior_per_token_last=last["kl_to_prior_per_token"])
    order = None
    if unit == "oracle_calls":
        metrics.update(env.tracker.summary())
        order = list(env.tracker.order)
    provenance = env.unwrapped.provenance
    env.close()
    return logger.finish(metrics, [{"sample": s, "score": v} for v, s in top], provenance, {"unit": unit, "value": cli.budget, "used": used()}, x=unit if unit == "oracle_calls" else "step", oracle_call_order=order)
