"""PPO's KL penalty to the prior on a prompted task (TextGen-v0): the prior exists, reads the
prompt as the environment's own KL-control term does, and the logged KL is real."""

import json

import gymnasium as gym
import numpy as np
import pytest
import torch

import genenvs  # noqa: F401
from baselines.algos.ppo import AdaptiveKL
from baselines.common.loop import make_prior_policy
from baselines.common.policy import SequencePolicy
from baselines.train import run

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def task():
    env = gym.make("TextGen-v0", disable_env_checker=True)
    yield env.unwrapped.task
    env.close()


def prompts(task, n):
    """Context observations of the first ``n`` prompts, batched as the vector envs give them."""
    observations = [task.context_for(i).observation for i in range(n)]
    return {k: np.stack([np.asarray(o[k]) for o in observations]) for k in observations[0]}


def test_prior_scores_tokens_as_the_env_kl_term_does():
    env = gym.make("TextGen-v0", kl_coef=0.05, disable_env_checker=True)
    prior = make_prior_policy(env.unwrapped.task, CPU)
    assert prior is not None and prior.mode == "prefix"
    obs, _ = env.reset(seed=3)
    context = {k: np.asarray(v)[None] for k, v in obs["context"].items()}
    tokens, lengths, _ = prior.sample(context, 1, generator=torch.Generator().manual_seed(0))
    actions = [*tokens[0, : lengths[0]].tolist(), 0][: env.unwrapped.task.max_length]
    rewards = []
    for action in actions:
        _, reward, terminated, truncated, info = env.step(action)
        rewards.append(reward)
    assert terminated or truncated
    logp = prior.token_log_probs(context, tokens, lengths)[0, : len(actions)].numpy()
    # every step but the last pays kl_coef * log p_ref(a_t | prompt, a_<t); the last adds the sentiment
    np.testing.assert_allclose(np.array(rewards[:-1]) / 0.05, logp[:-1], atol=1e-4)
    assert info["reward_components"]["kl_prior"] == pytest.approx(0.05 * logp.sum(), abs=1e-4)


def test_fresh_policy_is_the_prior(task):
    prior = make_prior_policy(task, CPU)
    policy = SequencePolicy.from_task(task)
    contexts = prompts(task, 32)
    tokens, lengths, _ = policy.sample(contexts, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        kl_per_sample = (policy.token_log_probs(contexts, tokens, lengths) - prior.token_log_probs(contexts, tokens, lengths)).sum(1)
    assert kl_per_sample.abs().max().item() < 1e-4


def test_other_tasks_keep_their_context_mode():
    env = gym.make("MolGen-v0", disable_env_checker=True)
    assert SequencePolicy.from_task(env.unwrapped.task).mode == "none"
    assert make_prior_policy(env.unwrapped.task, CPU) is not None


def test_adaptive_kl_moves_toward_its_target():
    high, low = AdaptiveKL(0.1, target=6.0, horizon=1000), AdaptiveKL(0.1, target=6.0, horizon=1000)
    high.update(kl=60.0, n_steps=100)  # the error is clipped to +20%
    low.update(kl=3.0, n_steps=100)
    assert high.value == pytest.approx(0.1 * (1 + 0.2 * 0.1))
    assert low.value == pytest.approx(0.1 * (1 - 0.2 * 0.1))


def test_short_ppo_run_logs_a_real_kl(tmp_path):
    overrides = ["lr=0.003", "num_envs=16", "episodes_per_update=16", "minibatch_size=16", "epochs=2"]
    result = run("TextGen-v0", "ppo", seed=0, budget=2500, out=tmp_path, device="cpu", overrides=overrides, env_kwargs={"kl_coef": 0})
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert rows[0]["kl_to_prior"] == pytest.approx(0.0, abs=1e-4)  # the first batch is sampled by the prior itself
    last = rows[-1]
    assert np.isfinite(last["kl_to_prior"]) and last["kl_to_prior"] > 0
    assert 0 < last["kl_to_prior_per_token"] < last["kl_to_prior"]
    assert result["metrics"]["kl_to_prior_last"] == last["kl_to_prior"]


def test_ppo_scores_actions_under_the_masks_they_were_sampled_with():
    """On a grammar-masked task (CodeDSL-v0) the rollout keeps each step's legal-action mask;
    teacher forcing with those masks gives every taken action its masked probability, which
    is larger than the unmasked one wherever the grammar ruled tokens out."""
    from baselines.algos.ppo import Rollout, _stack_contexts
    from baselines.common.envs import make_token_env

    env = make_token_env("CodeDSL-v0", 8)
    task = env.unwrapped.task
    policy = SequencePolicy.from_task(task)
    episodes = Rollout(env, policy, CPU, seed=0).collect(8)
    env.close()
    e = episodes[0]
    assert all(e["masks"][t, a] for t, a in enumerate(e["actions"])), "a taken action was illegal under its stored mask"
    assert not e["masks"].all(), "CodeDSL's grammar should rule some tokens out"
    acts = [a for a in e["actions"] if a != 0]
    L, V = task.max_length, len(task.vocab)
    tokens = torch.full((1, L), V, dtype=torch.long)
    tokens[0, : len(acts)] = torch.tensor(acts)
    lengths = torch.tensor([len(acts)])
    masks = torch.ones(1, L + 1, V, dtype=torch.bool)
    masks[0, : len(e["masks"])] = torch.as_tensor(e["masks"])
    contexts = _stack_contexts([e["context"]])
    with torch.no_grad():
        masked = policy.token_log_probs(contexts, tokens, lengths, masks)[0, : len(e["actions"])]
        plain = policy.token_log_probs(contexts, tokens, lengths)[0, : len(e["actions"])]
    assert torch.isfinite(masked).all()
    ruled_out = torch.as_tensor(~e["masks"].all(axis=1))
    assert (masked[ruled_out] > plain[ruled_out]).all() and torch.allclose(masked[~ruled_out], plain[~ruled_out])
