"""An autoregressive policy over a task's vocabulary, usually initialised from its prior.

The policy is the task's :class:`~genenvs.core.reference_lm.RecurrentLM` (copied from the
shipped reference generator when there is one: "maximum-likelihood generator improved by
RL") plus, where the task is conditional, a way to read the context:

* ``prefix`` tasks (a prompt in the same vocabulary) run the GRU over the prompt first;
* other conditional tasks project the flattened context observation to the initial
  hidden state.

A value head on the GRU output serves actor-critic algorithms (PPO).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence

from genenvs.core.reference_lm import LMConfig, RecurrentLM
from genenvs.core.task import TokenTask


def context_dim(space: spaces.Space | None) -> int:
    """Width of :func:`flatten_contexts`' features for ``space`` (0 for no context)."""
    if space is None:
        return 0
    if isinstance(space, spaces.Dict):
        return sum(context_dim(sub) for sub in space.spaces.values())
    if isinstance(space, spaces.Discrete):
        return int(space.n)
    return int(np.prod(space.shape))


def flatten_contexts(space: spaces.Space, observations: Any) -> np.ndarray:
    """Batched context observations -> float32 features ``(B, context_dim)``.

    Discrete values are one-hot; MultiDiscrete values (e.g. token ids) are scaled to
    [0, 1] by their range rather than one-hot, which would be V times wider; Boxes are
    flattened as they are.
    """
    if isinstance(space, spaces.Dict):
        return np.concatenate([flatten_contexts(sub, observations[k]) for k, sub in space.spaces.items()], axis=1)
    arr = np.asarray(observations)
    if isinstance(space, spaces.Discrete):
        return np.eye(space.n, dtype=np.float32)[arr.astype(np.int64) - space.start]
    flat = arr.reshape(arr.shape[0], -1).astype(np.float32)
    if isinstance(space, spaces.MultiDiscrete):
        flat = flat / np.maximum(space.nvec.reshape(1, -1).astype(np.float32) - 1, 1)
    return flat


class SequencePolicy(nn.Module):
    def __init__(self, lm: RecurrentLM, task: TokenTask) -> None:
        super().__init__()
        self.lm = lm
        self.V = lm.config.vocab_size
        self.max_length = task.max_length
        self.min_length = task.min_length
        self.context_space = task.context_space
        self.mode = "none" if task.context_space is None else ("prefix" if task.context_is_prefix else "vector")
        H, layers = lm.config.hidden_dim, lm.config.num_layers
        if self.mode == "vector":
            self.context_proj = nn.Sequential(nn.Linear(context_dim(task.context_space), 128), nn.ReLU(), nn.Linear(128, layers * H))
        self.value_head = nn.Linear(H, 1)

    @classmethod
    def from_task(cls, task: TokenTask, init: str = "prior", hidden_dim: int = 256, num_layers: int = 2) -> SequencePolicy:
        """``init="prior"`` copies the shipped reference generator; ``"scratch"`` starts fresh."""
        path = task.reference_model_path()
        if init == "prior" and path is not None:
            lm = copy.deepcopy(RecurrentLM.load(path))
        elif init in ("prior", "scratch"):
            lm = RecurrentLM(LMConfig(vocab_size=len(task.vocab), hidden_dim=hidden_dim, num_layers=num_layers))
        else:
            raise ValueError(f"init must be 'prior' or 'scratch', got {init!r}")
        return cls(lm, task)

    # ------------------------------------------------------------------ context
    def initial_state(self, contexts: Any, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(hidden, first_input)`` for a batch of context observations."""
        device = next(self.parameters()).device
        V, cfg = self.V, self.lm.config
        first = torch.full((batch,), V, dtype=torch.long, device=device)
        if self.mode == "none":
            return self.lm.initial_hidden(batch, device), first
        if self.mode == "vector":
            x = torch.as_tensor(flatten_contexts(self.context_space, contexts), device=device)
            h = torch.tanh(self.context_proj(x)).view(batch, cfg.num_layers, cfg.hidden_dim).transpose(0, 1).contiguous()
            return h, first
        prefix = torch.as_tensor(np.asarray(contexts), dtype=torch.long, device=device)
        k = (prefix != V).sum(dim=1)
        inputs = torch.cat([first[:, None], prefix[:, :-1].clamp(max=V)], dim=1)
        packed = pack_padded_sequence(self.lm.embed(inputs), k.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False)
        _, h = self.lm.gru(packed)
        h = torch.where((k > 0)[None, :, None], h, torch.zeros_like(h))
        last = prefix.gather(1, (k - 1).clamp(min=0)[:, None])[:, 0]
        return h.contiguous(), torch.where(k > 0, last, first)

    def _end_mask(self, position: int, batch: int, device) -> torch.Tensor | None:
        if position >= self.min_length:
            return None
        mask = torch.ones(batch, self.V, dtype=torch.bool, device=device)
        mask[:, 0] = False
        return mask

    # ------------------------------------------------------------------ sampling
    @torch.no_grad()
    def sample(self, contexts: Any, batch: int, mask_fn=None, generator: torch.Generator | None = None, temperature: float = 1.0):
        """Sample sequences; returns ``(ids (B, L) padded with V, lengths, masks or None)``.

        ``mask_fn(tokens, lengths) -> (B, V) bool`` supplies grammar masks (numpy), which
        are returned ``(B, L + 1, V)`` so training can apply the same masks.
        """
        device = next(self.parameters()).device
        L, V = self.max_length, self.V
        h, last = self.initial_state(contexts, batch)
        tokens = torch.full((batch, L), V, dtype=torch.long, device=device)
        lengths = torch.zeros(batch, dtype=torch.long, device=device)
        alive = torch.ones(batch, dtype=torch.bool, device=device)
        masks = torch.ones(batch, L + 1, V, dtype=torch.bool) if mask_fn is not None else None
        for t in range(L + 1):
            logits, h = self.lm.step(last, h)
            mask = self._end_mask(t, batch, device)
            if mask_fn is not None:
                grammar = torch.as_tensor(mask_fn(tokens.cpu().numpy(), lengths.cpu().numpy()), device=device)
                mask = grammar if mask is None else mask & grammar
                masks[:, t] = mask.cpu()
            if t == L:  # the sample is complete at max_length; the env ends it
                break
            if mask is not None:
                logits = logits.masked_fill(~mask, float("-inf"))
            nxt = torch.multinomial(F.softmax(logits / temperature, dim=-1), 1, generator=generator)[:, 0]
            alive &= nxt != 0
            tokens[alive, t] = nxt[alive]
            lengths += alive.long()
            last = nxt
            if not alive.any():
                break
        return tokens, lengths, masks

    # ------------------------------------------------------------------ training
    def token_log_probs(self, contexts: Any, tokens: torch.Tensor, lengths: torch.Tensor, masks: torch.Tensor | None = None, with_values: bool = False):
        """Teacher-forced per-token log-probs ``(B, L + 1)`` (end token included, zeros after).

        With ``with_values`` also returns the value estimates ``(B, L + 1)`` and the
        per-token entropies.
        """
        B, L = tokens.shape
        V = self.V
        device = tokens.device
        h, first = self.initial_state(contexts, B)
        positions = torch.arange(L + 1, device=device)[None, :]
        seq = torch.cat([tokens, torch.full((B, 1), V, dtype=torch.long, device=device)], dim=1)
        targets = torch.where(positions < lengths[:, None], seq, torch.zeros_like(seq))
        inputs = torch.cat([first[:, None], targets[:, :-1]], dim=1)
        out, _ = self.lm.gru(self.lm.embed(inputs), h)
        logits = self.lm.head(out)
        if self.min_length > 0:
            early = positions < self.min_length
            logits[..., 0] = logits[..., 0].masked_fill(early.expand(B, -1), float("-inf"))
        if masks is not None:
            logits = logits.masked_fill(~masks.to(device), float("-inf"))
        logp_all = F.log_softmax(logits, dim=-1)
        logp = logp_all.gather(-1, targets.clamp(max=V - 1)[..., None])[..., 0]
        live = live_positions(lengths, L)
        logp = logp * live
        if not with_values:
            return logp
        probs = logp_all.exp()
        entropy = -(probs * logp_all.masked_fill(probs == 0, 0.0)).sum(-1) * live
        values = self.value_head(out)[..., 0] * live
        return logp, values, entropy


def live_positions(lengths: torch.Tensor, max_length: int) -> torch.Tensor:
    """``(B, L + 1)`` mask of the actions an episode took: its tokens, then ``<end>`` unless
    it stopped at the length limit (the env ends such episodes without an end token)."""
    positions = torch.arange(max_length + 1, device=lengths.device)[None, :]
    return (positions < lengths[:, None]) | ((positions == lengths[:, None]) & (lengths[:, None] < max_length))


def pad_actions(tokens: torch.Tensor, max_length: int, pad_id: int) -> np.ndarray:
    """Policy samples -> sample-level actions ``(B, max_length)`` for the env."""
    out = np.full((tokens.shape[0], max_length), pad_id, dtype=np.int64)
    arr = tokens.cpu().numpy()
    out[:, : arr.shape[1]] = arr
    return out
