"""MolDQN (Zhou et al., 2019): double DQN over the valid edits of MolGraph-v0.

Zhou, Kearnes, Li, Zare & Riley ("Optimization of Molecules via Deep Reinforcement
Learning", *Sci. Rep.* 9, 10752, 2019) score each *candidate* molecule, not an abstract
action id: ``Q(s, a) = MLP([fingerprint(a), steps_left])``, where ``fingerprint(a)`` is
the Morgan fingerprint of the molecule the edit ``a`` leads to. MolGraph-v0 observes
exactly these features (``obs["candidates"]`` and ``obs["steps_left"]``), so this agent
has no chemistry code. Learning is double Q-learning (van Hasselt et al., 2016) from a
replay buffer with a target network, Huber loss and epsilon-greedy exploration over the
valid candidates::

    y = r + gamma * Q_target(s', argmax_{a' valid in s'} Q(s', a'))     (no bootstrap at the end)

The env already discounts its rewards towards the episode end (``discount``), so the
Q-learning ``gamma`` defaults to 1 over the fixed horizon. Defaults follow the
reference configuration (``mol_dqn/chemgraph/configs/naive_dqn.json``): dense layers
1024-512-128-32 with ReLU, Adam at 1e-4, batch 128, a replay of 5,000 transitions, a
gradient step every 4 env steps, the target network copied every 20 episodes, gradient
norm clipped at 10. Simplifications: no learning-rate decay, one Q-head (the paper's
bootstrapped heads are off in that configuration too), uniform replay, a linear epsilon
schedule, and ``steps_left`` scaled to [0, 1]. The budget counts environment steps; every
step scores one molecule, so the run also reports the top-k of the unique molecules it
visited.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from baselines.common.run_logger import RunLogger


@dataclasses.dataclass
class Args:
    hidden: list[int] = dataclasses.field(default_factory=lambda: [1024, 512, 128, 32])
    lr: float = 1e-4
    gamma: float = 1.0
    batch_size: int = 128
    buffer_size: int = 5000
    learning_starts: int = 200  # env steps of pure exploration before the first update
    train_every: int = 4  # env steps between gradient steps
    target_update_every: int = 800  # env steps between target-network copies (20 episodes of 40 steps)
    epsilon_start: float = 1.0
    epsilon_end: float = 0.01
    exploration_fraction: float = 0.5  # share of the budget over which epsilon decays linearly
    max_grad_norm: float = 10.0
    log_every: int = 5  # episodes per logged row


class QNetwork(nn.Module):
    """``Q(s, a)`` from the candidate's fingerprint and the fraction of the episode left."""

    def __init__(self, fingerprint_bits: int, hidden: list[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = fingerprint_bits + 1
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        self.net = nn.Sequential(*layers, nn.Linear(width, 1))

    def forward(self, fingerprints: torch.Tensor, steps_left: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([fingerprints, steps_left[:, None]], dim=1))[:, 0]


class ReplayBuffer:
    """Transitions ``(fp(a), steps_left, r, done, s')`` with bit-packed fingerprints.

    The candidates of ``s'`` (needed for ``max_a'``) depend only on the molecule, so each
    molecule's candidate table is stored once and shared by every transition into it.
    """

    def __init__(self, capacity: int, fingerprint_bits: int) -> None:
        self.capacity, self.bits = capacity, fingerprint_bits
        width = (fingerprint_bits + 7) // 8
        self.chosen = np.zeros((capacity, width), dtype=np.uint8)
        self.steps = np.zeros(capacity, dtype=np.float32)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.dones = np.zeros(capacity, dtype=bool)
        self.next_steps = np.zeros(capacity, dtype=np.float32)
        self.next_state: list[str | None] = [None] * capacity
        self.tables: dict[str, list] = {}  # molecule -> [packed candidate table, transitions using it]
        self.size, self.pos = 0, 0

    def add(self, chosen: np.ndarray, steps: float, reward: float, done: bool, next_state: str, next_candidates: np.ndarray | None, next_steps: float) -> None:
        old = self.next_state[self.pos]
        if old is not None:
            self.tables[old][1] -= 1
            if self.tables[old][1] == 0:
                del self.tables[old]
        self.chosen[self.pos] = np.packbits(chosen)
        self.steps[self.pos], self.rewards[self.pos], self.dones[self.pos], self.next_steps[self.pos] = steps, reward, done, next_steps
        key = None if done else next_state
        if key is not None:
            if key not in self.tables:
                self.tables[key] = [np.packbits(next_candidates, axis=-1), 0]
            self.tables[key][1] += 1
        self.next_state[self.pos] = key
        self.pos = (self.pos + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch: int, rng: np.random.Generator, device) -> dict[str, torch.Tensor]:
        idx = rng.integers(self.size, size=batch)
        tables = [self.tables[self.next_state[i]][0] if self.next_state[i] is not None else np.zeros((0, self.chosen.shape[1]), np.uint8) for i in idx]
        counts = np.array([len(t) for t in tables])
        as_tensor = lambda a, dtype=torch.float32: torch.as_tensor(a, dtype=dtype, device=device)
        return {
            "chosen": as_tensor(np.unpackbits(self.chosen[idx], axis=-1, count=self.bits)),
            "steps": as_tensor(self.steps[idx]),
            "rewards": as_tensor(self.rewards[idx]),
            "dones": as_tensor(self.dones[idx]),
            "next": as_tensor(np.unpackbits(np.concatenate(tables), axis=-1, count=self.bits)),
            "next_steps": as_tensor(np.repeat(self.next_steps[idx], counts)),
            "counts": as_tensor(counts, torch.long),
        }


def double_q_values(q: QNetwork, target: QNetwork, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """``Q_target(s', argmax_a' Q(s', a'))`` per transition; 0 where ``s'`` has no candidates."""
    counts = batch["counts"]
    B, device = len(counts), counts.device
    if batch["next"].shape[0] == 0:
        return torch.zeros(B, device=device)
    online = q(batch["next"], batch["next_steps"])
    frozen = target(batch["next"], batch["next_steps"])
    rows = torch.repeat_interleave(torch.arange(B, device=device), counts)
    offsets = torch.cumsum(counts, 0) - counts
    cols = torch.arange(len(rows), device=device) - offsets[rows]
    table = torch.full((B, int(counts.max())), float("-inf"), device=device)
    table[rows, cols] = online
    best = offsets + table.argmax(1)
    return torch.where(counts > 0, frozen[best.clamp(max=len(frozen) - 1)], torch.zeros(B, device=device))


def candidate_features(obs: dict, max_steps: float, device) -> tuple[torch.Tensor, torch.Tensor]:
    """The valid rows of ``obs["candidates"]`` and the matching ``steps_left / max_steps``."""
    k = int(np.asarray(obs["action_mask"]).sum())
    fps = torch.as_tensor(obs["candidates"][:k], dtype=torch.float32, device=device)
    return fps, torch.full((k,), float(obs["steps_left"][0]) / max_steps, device=device)


@torch.no_grad()
def greedy_action(q: QNetwork, obs: dict, max_steps: float) -> int:
    fps, steps = candidate_features(obs, max_steps, next(q.parameters()).device)
    return int(q(fps, steps).argmax()) if len(fps) else 0


def train(args: Args, cli, out, record, env_kwargs) -> dict:
    from baselines.common.diversity import sample_diversity_of

    device = cli.device
    env = gym.make(cli.env, **(env_kwargs or {}))
    space = env.observation_space
    if not isinstance(space, gym.spaces.Dict) or "candidates" not in space.spaces:
        raise ValueError(f"moldqn needs observations with per-candidate fingerprints (MolGraph-v0 with observe_candidates=True), not {cli.env!r}")
    bits, max_steps = space["candidates"].shape[1], float(space["steps_left"].high[0])
    rng = np.random.default_rng(cli.seed)
    q = QNetwork(bits, args.hidden).to(device)
    target = copy.deepcopy(q)
    optimiser = torch.optim.Adam(q.parameters(), lr=args.lr)
    buffer = ReplayBuffer(args.buffer_size, bits)
    logger = RunLogger(out, record, main_metric="mean_score")
    visited: dict[str, float] = {}  # every molecule reached -> its score (each is one oracle call)
    window: dict[str, list[float]] = {"score": [], "return": [], "loss": [], "q": []}
    episode_return, episodes = 0.0, 0
    finished: list[tuple[str | None, float, bool]] = []  # (record, score, valid) of the episodes since the last log
    final_batch: list[tuple[str | None, float, bool]] = []  # those of the last logged row, stored whole

    obs, _ = env.reset(seed=cli.seed)
    for step in tqdm(range(cli.budget), desc=f"moldqn {cli.env}", unit="step"):
        epsilon = args.epsilon_end + (args.epsilon_start - args.epsilon_end) * max(0.0, 1 - step / max(1.0, args.exploration_fraction * cli.budget))
        valid = int(obs["action_mask"].sum())
        action = int(rng.integers(valid)) if valid and rng.random() < epsilon else greedy_action(q, obs, max_steps)
        next_obs, reward, terminated, truncated, info = env.step(action)
        done = bool(terminated or truncated)
        k = int(next_obs["action_mask"].sum())
        buffer.add(obs["candidates"][action], obs["steps_left"][0] / max_steps, reward, terminated, info["sample"], next_obs["candidates"][:k], next_obs["steps_left"][0] / max_steps)
        visited.setdefault(info["sample"], info["score"])
        episode_return += reward
        obs = next_obs
        if done:
            episodes += 1
            window["score"].append(info["score"])
            window["return"].append(episode_return)
            finished.append((info.get("sample_record"), info["score"], info["valid"]))
            episode_return = 0.0
            obs, _ = env.reset()

        if step >= args.learning_starts and step % args.train_every == 0:
            batch = buffer.sample(args.batch_size, rng, device)
            with torch.no_grad():
                y = batch["rewards"] + args.gamma * (1 - batch["dones"]) * double_q_values(q, target, batch)
            prediction = q(batch["chosen"], batch["steps"])
            loss = F.smooth_l1_loss(prediction, y)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(q.parameters(), args.max_grad_norm)
            optimiser.step()
            window["loss"].append(loss.item())
            window["q"].append(prediction.mean().item())
        if step % args.target_update_every == 0:
            target.load_state_dict(q.state_dict())

        if done and episodes % args.log_every == 0:
            logged = {k: float(np.mean(v)) for k, v in (("mean_score", window["score"]), ("mean_return", window["return"]), ("loss", window["loss"]), ("q_mean", window["q"])) if v}
            logger.log(step + 1, **logged, max_score=max(window["score"]), epsilon=epsilon, episodes=episodes, oracle_calls=len(visited))
            window = {k: [] for k in window}
            final_batch, finished = finished, []

    greedy = run_greedy(env, q, max_steps)
    torch.save(q.state_dict(), Path(out) / "checkpoint.pt")
    top = sorted(visited.items(), key=lambda kv: -kv[1])[:100]
    scores = [v for _, v in top]
    rows = [r for r in logger.rows if "mean_score" in r]
    metrics = {
        **(logger.set_final_batch(*zip(*final_batch)) if final_batch else {"mean_score_last": float("nan")}),  # verifiable: stored whole
        "loss_last": rows[-1].get("loss", float("nan")) if rows else float("nan"),
        "episodes": episodes,
        "oracle_calls": len(visited),
        **{f"top{k}": float(np.mean(scores[:k])) if scores else 0.0 for k in (1, 10, 100)},
        "greedy_score": greedy["score"],
        "greedy_sample": greedy["sample"],
        **{f"{k}_top100": v for k, v in sample_diversity_of([s for s, _ in top], molecules=True).items()},
    }
    provenance = env.unwrapped.provenance
    env.close()
    return logger.finish(metrics, [{"sample": s, "score": v} for s, v in top], provenance, {"unit": "env_steps", "value": cli.budget, "used": cli.budget})


def run_greedy(env: gym.Env, q: QNetwork, max_steps: float) -> dict:
    """One episode with epsilon = 0 (the MDP is deterministic, so one is enough)."""
    obs, _ = env.reset()
    while True:
        obs, _, terminated, truncated, info = env.step(greedy_action(q, obs, max_steps))
        if terminated or truncated:
            return {"score": float(info["score"]), "sample": info["sample"]}
