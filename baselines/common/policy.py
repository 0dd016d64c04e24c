"""An autoregressive policy over a task's vocabulary, usually initialised from its prior.

The policy is the task's :class:`~genenvs.core.reference_lm.RecurrentLM` (copied from the
shipped reference generator when there is one: "maximum-likelihood generator improved by
RL") plus, where the task is conditional, a way to read the context:

* ``prefix`` tasks (a prompt in the same vocabulary) run the GRU over the prompt first,
  exactly as the environment's KL-control term makes its reference LM read
  ``Context.prefix``: a policy copied from the prior then *is* the prior. A prompt may be
  the whole context observation (``task.context_is_prefix``) or one field of a ``Dict``
  context (:func:`prompt_field`, e.g. TextGen-v0's ``prompt``); the other fields are
  projected to a correction of the hidden state that starts at zero;
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
    [0, 1] by their range rather than one-hot, which would be V times wider; bounded Boxes
    are scaled to [-1, 1] by their bounds (raw values such as CodeDSL's integers up to 256
    would saturate the projection's ``tanh`` and make every context look alike).
    """
    if isinstance(space, spaces.Dict):
        return np.concatenate([flatten_contexts(sub, observations[k]) for k, sub in space.spaces.items()], axis=1)
    arr = np.asarray(observations)
    if isinstance(space, spaces.Discrete):
        return np.eye(space.n, dtype=np.float32)[arr.astype(np.int64) - space.start]
    flat = arr.reshape(arr.shape[0], -1).astype(np.float32)
    if isinstance(space, spaces.MultiDiscrete):
        flat = flat / np.maximum(space.nvec.reshape(1, -1).astype(np.float32) - 1, 1)
    elif isinstance(space, spaces.Box) and space.is_bounded():
        low = np.broadcast_to(space.low, space.shape).reshape(1, -1).astype(np.float32)
        high = np.broadcast_to(space.high, space.shape).reshape(1, -1).astype(np.float32)
        flat = 2 * (flat - low) / np.maximum(high - low, 1e-8) - 1
    return flat


def prompt_field(task: TokenTask) -> str | None:
    """The field of a ``Dict`` context that holds the prompt a reference LM reads, or ``None``.

    Tasks declare it (:attr:`TokenTask.prompt_field`); environments condition their
    reference LM on ``Context.prefix``, the same ids (e.g. TextGen-v0's
    :class:`~genenvs.text.rewards.PromptedKLControl`), so a policy reading this field as a
    prefix starts out equal to that reference LM.
    """
    key = task.prompt_field
    if key is None:
        return None
    if not isinstance(task.context_space, spaces.Dict) or key not in task.context_space.spaces:
        raise ValueError(f"{type(task).__name__}.prompt_field={key!r} is not a field of its context space {task.context_space}")
    return key


class SequencePolicy(nn.Module):
    def __init__(self, lm: RecurrentLM, task: TokenTask) -> None:
        super().__init__()
        self.lm = lm
        self.V = lm.config.vocab_size
        self.max_length = task.max_length
        self.min_length = task.min_length
        self.context_space = task.context_space
        self.prompt_key = prompt_field(task)
        prefix = task.context_is_prefix or self.prompt_key is not None
        self.mode = "none" if task.context_space is None else ("prefix" if prefix else "vector")
        H, layers = lm.config.hidden_dim, lm.config.num_layers
        #: context fields projected to the initial hidden state (all of a vector context; the non-prompt fields of a prompt)
        self.projected_space = task.context_space if self.mode == "vector" else None
        if self.prompt_key is not None:
            rest = {k: space for k, space in task.context_space.spaces.items() if k != self.prompt_key}
            self.projected_space = spaces.Dict(rest) if rest else None
        if self.projected_space is not None:
            self.context_proj = nn.Sequential(nn.Linear(context_dim(self.projected_space), 128), nn.ReLU(), nn.Linear(128, layers * H))
            if self.mode == "prefix":  # a correction that starts at zero: the fresh policy reads the prompt as the prior does
                self.zero_context_projection()
        self.value_head = nn.Linear(H, 1)

    def zero_context_projection(self) -> None:
        """Make the projected context fields contribute nothing to the initial state.

        Feature contexts then leave the policy where the unconditional prior starts (a
        zero hidden state) and prompt contexts as the prompt alone. Fresh vector-context
        policies keep a random projection instead: started at zero, they learned to use
        the features far more slowly (tests/baselines/test_algorithms.py's toy task).
        """
        nn.init.zeros_(self.context_proj[-1].weight)
        nn.init.zeros_(self.context_proj[-1].bias)

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
        first = torch.full((batch,), self.V, dtype=torch.long, device=device)
        if self.mode == "none":
            return self.lm.initial_hidden(batch, device), first
        if self.mode == "vector":
            return self._project(contexts, batch), first
        if self.prompt_key is None:
            return self._read_prefix(contexts, first)
        h, first = self._read_prefix(contexts[self.prompt_key], first)
        if self.projected_space is not None:
            h = h + self._project({k: contexts[k] for k in self.projected_space.spaces}, batch)
        return h, first

    def _project(self, contexts: Any, batch: int) -> torch.Tensor:
        """Hidden state ``(layers, B, H)`` from the projected context fields."""
        cfg = self.lm.config
        x = torch.as_tensor(flatten_contexts(self.projected_space, contexts), device=next(self.parameters()).device)
        return torch.tanh(self.context_proj(x)).view(batch, cfg.num_layers, cfg.hidden_dim).transpose(0, 1).contiguous()

    def _read_prefix(self, prompts: Any, first: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Run the GRU over ``<start>, prompt[:-1]``; ``prompt[-1]`` is the next input (as ``PromptedKLControl``)."""
        V, device = self.V, first.device
        prefix = torch.as_tensor(np.asarray(prompts), dtype=torch.long, device=device)
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
