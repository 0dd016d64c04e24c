"""Reference points that learn nothing: ``random`` (uniform legal tokens) and ``prior``.

``random`` is the floor every method must beat; ``prior`` samples the shipped reference
generator, i.e. what maximum-likelihood training alone achieves.
"""

from __future__ import annotations

import dataclasses

import torch

from baselines.common.loop import Batch
from baselines.common.policy import SequencePolicy


@dataclasses.dataclass
class Args:
    batch_size: int = 64


def uniform_policy(task) -> SequencePolicy:
    """A policy whose logits are all zero: every legal token is equally likely."""
    policy = SequencePolicy.from_task(task, init="scratch", hidden_dim=8, num_layers=1)
    with torch.no_grad():
        policy.lm.head.weight.zero_()
        policy.lm.head.bias.zero_()
    return policy


class NoUpdate:
    def update(self, batch: Batch) -> dict[str, float]:
        return {}
