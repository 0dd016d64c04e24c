"""Small CNNs of the image domain: the digit classifier and the image encoder of learned rewards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn


class ImageEncoder(nn.Module):
    """``(B, C, H, W)`` images -> ``(B, out_dim)`` features: three convolutions, global pooling.

    Average and max pooling over positions make it independent of the image size, so one
    class serves the 16x16 reward models and the 32x32 painting discriminator. It has the
    ``out_dim`` attribute :class:`genenvs.rewards.networks.ScalarHead` expects.
    """

    def __init__(self, in_channels: int = 1, width: int = 32) -> None:
        super().__init__()
        self.in_channels, self.width = in_channels, width
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, width, 3, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, width, 3, stride=2, padding=1),
            nn.LeakyReLU(0.2),
        )
        self.out_dim = 2 * width

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.net(x)
        return torch.cat([h.mean(dim=(2, 3)), h.amax(dim=(2, 3))], dim=1)


class DigitClassifier(nn.Module):
    """16x16 digit images in [-1, 1] -> logits over the 10 classes (LeNet-sized CNN)."""

    def __init__(self, image_size: int = 16, num_classes: int = 10, width: int = 32) -> None:
        super().__init__()
        if image_size % 4:
            raise ValueError(f"image_size must be divisible by 4, got {image_size}")
        self.config = {"image_size": image_size, "num_classes": num_classes, "width": width}
        side = image_size // 4
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(2 * width, 2 * width, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Dropout(0.2),
            nn.Linear(2 * width * side * side, 128),
            nn.ReLU(),
            nn.Linear(128, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def save(self, path: str | Path, metadata: dict[str, Any] | None = None) -> None:
        torch.save({"config": self.config, "state_dict": self.state_dict(), "metadata": metadata or {}}, path)

    @classmethod
    def load(cls, path: str | Path) -> DigitClassifier:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        model = cls(**blob["config"])
        model.load_state_dict(blob["state_dict"])
        model.metadata = blob.get("metadata", {})
        return model.eval()
