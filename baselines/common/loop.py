"""The sample-level training loop shared by REINFORCE, REINVENT and GRPO.

Each iteration: read the contexts, let the policy sample a batch of whole samples, score
them in one step of the native sample-level vector env, hand the batch to the algorithm's
``update``, log. The loop stops when the budget (oracle calls for molecules, samples
otherwise) is spent.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

import numpy as np
import torch
from tqdm.auto import tqdm

from baselines.common.envs import budget_unit, make_sample_env, task_of
from baselines.common.policy import SequencePolicy, pad_actions
from baselines.common.run_logger import RunLogger
from genenvs.core.reference_lm import RecurrentLM


@dataclasses.dataclass
class Batch:
    """One scored batch: what every sequence algorithm updates from."""

    contexts: Any
    tokens: torch.Tensor
    lengths: torch.Tensor
    masks: torch.Tensor | None
    rewards: torch.Tensor  # the env's return of each sample
    scores: np.ndarray  # the task's score (without per-step terms)
    valid: np.ndarray
    samples: list[Any]


class SequenceAlgorithm(Protocol):
    def update(self, batch: Batch) -> dict[str, float]: ...


def sample_key(sample: Any) -> Any:
    """A hashable key for de-duplicating samples (strings, token lists, arrays)."""
    if isinstance(sample, (str, int, float, tuple)):
        return sample
    return repr(np.asarray(sample).tolist())


def plain_sample(sample: Any) -> Any:
    """The sample as plain JSON data, so a verifier can re-encode and re-score it."""
    if isinstance(sample, np.ndarray):
        return sample.tolist()
    if isinstance(sample, (list, tuple)):
        return [plain_sample(x) for x in sample]
    if isinstance(sample, np.generic):
        return sample.item()
    return sample


def make_prior_policy(task, device: torch.device) -> SequencePolicy | None:
    """The frozen shipped prior, wrapped to read contexts as the policy does.

    A prompted task's prior reads the prompt as a prefix, exactly as the environment's
    KL-control term conditions the same LM on ``Context.prefix`` (TextGen-v0's
    ``PromptedKLControl``; tests/baselines/test_ppo_kl.py checks that the two agree).
    Feature contexts (CodeDSL's examples) reach the policy through a projection the prior
    does not have: its projection is zeroed, so it is the unconditional prior. ``None`` when
    the task ships no prior.
    """
    path = task.reference_model_path()
    if path is None:
        return None
    prior = SequencePolicy(RecurrentLM.load(path), task).to(device)
    if prior.projected_space is not None:
        prior.zero_context_projection()
    for p in prior.parameters():
        p.requires_grad_(False)
    return prior.eval()


def train_sequence_algorithm(algo: SequenceAlgorithm, policy: SequencePolicy, args, logger: RunLogger, device: torch.device, env_kwargs: dict[str, Any] | None = None) -> dict[str, Any]:
    env = make_sample_env(args.env, args.batch_size, args.budget, env_kwargs)
    task = task_of(env)
    unit = budget_unit(args.env)
    mask_fn = None
    if task.has_grammar_mask:
        mask_fn = lambda tokens, lengths: task.action_mask(tokens, lengths, env.unwrapped.contexts)  # noqa: E731
    obs, _ = env.reset(seed=args.seed)
    generator = torch.Generator(device=device).manual_seed(args.seed)
    used, step = 0, 0
    best: dict[Any, tuple[float, Any]] = {}  # key -> (best score, the sample as plain data)
    bar = tqdm(total=args.budget, desc=f"{args.algo} {args.env}", unit=unit.replace("_", " "))
    while used < args.budget:
        contexts = obs if task.context_space is not None else None
        tokens, lengths, masks = policy.sample(contexts, args.batch_size, mask_fn, generator)
        actions = pad_actions(tokens, task.max_length, task.vocab.pad_id)
        obs, rewards, _, _, infos = env.step(actions)
        finals = infos["final_info"]
        batch = Batch(contexts, tokens, lengths, masks, torch.as_tensor(rewards, dtype=torch.float32, device=device), np.asarray(finals["score"], dtype=np.float64), np.asarray(finals["valid"], dtype=bool), list(finals["sample"]))
        stats = algo.update(batch)
        for s, sc, v in zip(batch.samples, batch.scores, batch.valid):
            if v:
                key = sample_key(s)
                if float(sc) > best.get(key, (-np.inf, None))[0]:
                    best[key] = (float(sc), plain_sample(s))
        step += 1
        new_used = env.tracker.calls if unit == "oracle_calls" else used + args.batch_size
        bar.update(new_used - used)
        used = new_used
        unique = len({repr(s) for s in batch.samples}) / len(batch.samples)
        metrics = {"mean_score": float(batch.scores.mean()), "max_score": float(batch.scores.max()), "mean_return": float(rewards.mean()), "validity": float(batch.valid.mean()), "uniqueness": unique, unit: used, **stats}
        if unit == "oracle_calls":
            metrics.update(env.tracker.top_means())
        logger.log(step, **metrics)
        bar.set_postfix(score=f"{metrics['mean_score']:.3f}")
        if unit == "oracle_calls" and env.exhausted:
            break
    bar.close()
    if unit == "oracle_calls":  # exactly the samples that were counted (none past the budget)
        best = {key: (score, key) for key, score in env.tracker.scores.items()}
    top = sorted(best.values(), key=lambda row: -row[0])[:100]
    final = logger.set_final_batch(finals.get("sample_record"), batch.scores, batch.valid)  # stored whole: verifiable
    calls = None
    if unit == "oracle_calls":
        final.update(env.tracker.summary())
        calls = list(env.tracker.order)  # every unique sample in the order it was scored: re-scores the AUC
    else:
        final["best_score"] = top[0][0] if top else float("nan")
    provenance = env.unwrapped.provenance
    env.close()
    return {"metrics": final, "samples": [{"sample": sample, "score": score} for score, sample in top], "provenance": provenance, "budget": {"unit": unit, "value": args.budget, "used": used}, "oracle_call_order": calls}
