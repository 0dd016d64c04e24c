"""Small torch encoders shared by the learned reward families."""

from __future__ import annotations

import torch
from torch import nn


class TokenEncoder(nn.Module):
    """Padded token ids ``(B, L)`` -> features ``(B, dim)``: embedding, 1-D convolutions, max-pool.

    The pad id (``vocab_size``) has its own embedding row and is masked out of the pool.
    A CNN rather than an RNN: SeqGAN's discriminator is a CNN (Yu et al., 2017), and it is
    fast on CPU.
    """

    def __init__(self, vocab_size: int, dim: int = 64, kernel_sizes: tuple[int, ...] = (2, 3, 4)) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.embed = nn.Embedding(vocab_size + 1, dim)
        self.convs = nn.ModuleList(nn.Conv1d(dim, dim, k, padding=k // 2) for k in kernel_sizes)
        self.out_dim = dim * len(kernel_sizes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.embed(ids).transpose(1, 2)  # (B, dim, L)
        valid = (ids != self.vocab_size)[:, None, :]
        feats = []
        for conv in self.convs:
            h = torch.relu(conv(x))[..., : ids.shape[1]]
            h = h.masked_fill(~valid, float("-inf"))
            pooled = h.max(dim=-1).values
            feats.append(torch.nan_to_num(pooled, neginf=0.0))  # empty sequences pool to 0
        return torch.cat(feats, dim=1)


class ScalarHead(nn.Module):
    """Encoder followed by an MLP to one scalar per sample."""

    def __init__(self, encoder: nn.Module, hidden: int = 64) -> None:
        super().__init__()
        self.encoder = encoder
        self.mlp = nn.Sequential(nn.Linear(encoder.out_dim, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(self.encoder(x))[:, 0]
