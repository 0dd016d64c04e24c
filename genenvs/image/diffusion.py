"""A small class-conditional DDPM and the DDIM step that ImageGen-v0 turns into an MDP.

* :class:`NoiseSchedule`: the linear beta schedule of DDPM (Ho et al., 2020), T = 1000,
  ``beta`` from 1e-4 to 0.02, and ``alpha_bar_t = prod_{s <= t} (1 - beta_s)``.
* :class:`DenoiserUNet`: a two-level UNet (16x16 -> 8x8 -> 4x4) predicting the noise
  ``eps(x_t, t, label)``; time enters through sinusoidal features, the digit label through
  an embedding added to them (about 0.5 M parameters, ~2 MB).
* :class:`DDIMPolicy`: the pretrained model's Gaussian ``N(mean, std^2 I)`` over
  ``x_{t_prev}`` given ``x_t`` for a K-step DDIM schedule with ``eta > 0`` (Song et al.,
  2021, eq. 12). With eta = 1 this is DDPM's ancestral step on the sub-sequence, which is
  what DDPO samples from (Black et al., 2023).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

TRAIN_STEPS = 1000


class NoiseSchedule:
    """DDPM's linear schedule; ``alpha_bar[t]`` for training indices ``t = 0..T-1``."""

    def __init__(self, num_train_steps: int = TRAIN_STEPS, beta_start: float = 1e-4, beta_end: float = 0.02) -> None:
        self.num_train_steps = num_train_steps
        self.betas = torch.linspace(beta_start, beta_end, num_train_steps, dtype=torch.float64)
        self.alpha_bar = torch.cumprod(1.0 - self.betas, dim=0)

    def add_noise(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """Sample ``q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I)``."""
        abar = self.alpha_bar[t].float().view(-1, 1, 1, 1)
        return abar.sqrt() * x0 + (1.0 - abar).sqrt() * noise

    def ddim_timesteps(self, num_steps: int) -> np.ndarray:
        """Training indices visited by a ``num_steps`` sampler, from noisiest to clean.

        ``num_steps + 1`` entries: ``T-1, ..., T/K - 1, 0``. The last state is training index
        0 (``alpha_bar_0 = 1 - 1e-4``), not the noise-free limit, so the final step keeps a
        small non-zero std (DDPO does the same through ``set_alpha_to_one=False``) and
        every step has a proper Gaussian log-probability.
        """
        limit = self.num_train_steps // 2
        if not 1 <= num_steps <= limit:
            raise ValueError(f"num_steps must be in [1, {limit}], got {num_steps}")
        stride = self.num_train_steps / num_steps
        noisy = [round(stride * k) - 1 for k in range(num_steps, 0, -1)]
        return np.array([*noisy, 0], dtype=np.int64)


def timestep_features(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal features of the (integer) timestep, as in the Transformer and DDPM."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    angles = t.float()[:, None] * freqs[None]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class ResBlock(nn.Module):
    """GroupNorm-SiLU-conv twice, with the conditioning embedding added in between."""

    def __init__(self, c_in: int, c_out: int, emb_dim: int) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(8, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, c_out)
        self.norm2 = nn.GroupNorm(8, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


@dataclasses.dataclass(frozen=True)
class UNetConfig:
    image_size: int = 16
    num_classes: int = 10
    channels: tuple[int, int] = (16, 32)
    emb_dim: int = 64


class DenoiserUNet(nn.Module):
    """``eps_theta(x_t, t, label)`` for 1-channel images whose side is divisible by 4."""

    def __init__(self, config: UNetConfig = UNetConfig()) -> None:
        super().__init__()
        if config.image_size % 4:
            raise ValueError(f"image_size must be divisible by 4, got {config.image_size}")
        self.config = config
        c0, c1 = config.channels
        e = config.emb_dim
        self.time_mlp = nn.Sequential(nn.Linear(e, e), nn.SiLU(), nn.Linear(e, e))
        self.label_embed = nn.Embedding(config.num_classes, e)
        self.conv_in = nn.Conv2d(1, c0, 3, padding=1)
        self.down0 = ResBlock(c0, c0, e)
        self.pool0 = nn.Conv2d(c0, c0, 3, stride=2, padding=1)
        self.down1 = ResBlock(c0, c1, e)
        self.pool1 = nn.Conv2d(c1, c1, 3, stride=2, padding=1)
        self.mid = nn.ModuleList([ResBlock(c1, c1, e), ResBlock(c1, c1, e)])
        self.up1 = ResBlock(c1 + c1, c1, e)
        self.up0 = ResBlock(c1 + c0, c0, e)
        self.norm_out = nn.GroupNorm(8, c0)
        self.conv_out = nn.Conv2d(c0, 1, 3, padding=1)

    def forward(self, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        emb = self.time_mlp(timestep_features(t, self.config.emb_dim)) + self.label_embed(labels)
        emb = F.silu(emb)
        h0 = self.down0(self.conv_in(x), emb)
        h1 = self.down1(self.pool0(h0), emb)
        h = self.pool1(h1)
        for block in self.mid:
            h = block(h, emb)
        h = self.up1(torch.cat([F.interpolate(h, scale_factor=2.0, mode="nearest"), h1], dim=1), emb)
        h = self.up0(torch.cat([F.interpolate(h, scale_factor=2.0, mode="nearest"), h0], dim=1), emb)
        return self.conv_out(F.silu(self.norm_out(h)))

    # -- persistence -------------------------------------------------------------------
    def save(self, path: str | Path, metadata: dict[str, Any] | None = None) -> None:
        config = dataclasses.asdict(self.config)
        torch.save({"config": config, "state_dict": self.state_dict(), "metadata": metadata or {}}, path)

    @classmethod
    def load(cls, path: str | Path) -> DenoiserUNet:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        config = dict(blob["config"])
        config["channels"] = tuple(config["channels"])
        model = cls(UNetConfig(**config))
        model.load_state_dict(blob["state_dict"])
        model.metadata = blob.get("metadata", {})
        return model.eval()


class DDIMPolicy:
    """The pretrained denoiser as a Gaussian policy over the next, less noisy image.

    For step k (from training index ``t`` to ``s < t``), with ``x0_hat`` the model's
    estimate of the clean image (clipped to [-1, 1], the data range) and ``eps_hat`` the
    noise consistent with it::

        std  = eta * sqrt((1 - abar_s) / (1 - abar_t)) * sqrt(1 - abar_t / abar_s)
        mean = sqrt(abar_s) * x0_hat + sqrt(1 - abar_s - std^2) * eps_hat

    (Song et al., 2021, eq. 12 and 16). ``eta = 0`` would make the sampler deterministic,
    which is why ImageGen-v0 requires ``eta > 0``.
    """

    def __init__(self, model: DenoiserUNet, schedule: NoiseSchedule, num_steps: int, eta: float = 1.0) -> None:
        if not eta > 0:
            raise ValueError(f"eta must be > 0 so that every denoising step is stochastic, got {eta}")
        self.model = model.eval()
        self.schedule = schedule
        self.num_steps = int(num_steps)
        self.eta = float(eta)
        self.timesteps = schedule.ddim_timesteps(self.num_steps)
        abar = schedule.alpha_bar.numpy()
        a_t, a_s = abar[self.timesteps[:-1]], abar[self.timesteps[1:]]
        std = eta * np.sqrt((1 - a_s) / (1 - a_t)) * np.sqrt(1 - a_t / a_s)
        if np.any(std**2 > 1 - a_s):
            raise ValueError(f"eta={eta} is too large for this schedule (std exceeds sqrt(1 - alpha_bar)); use eta <= 1")
        # Indexed by the number of steps already taken k = 0..K-1.
        self._sqrt_abar_t = torch.tensor(np.sqrt(a_t), dtype=torch.float32)
        self._sqrt_1m_abar_t = torch.tensor(np.sqrt(1 - a_t), dtype=torch.float32)
        self._sqrt_abar_s = torch.tensor(np.sqrt(a_s), dtype=torch.float32)
        self._direction = torch.tensor(np.sqrt(1 - a_s - std**2), dtype=torch.float32)
        self.stds = std.astype(np.float32)

    @torch.no_grad()
    def gaussian(self, x: torch.Tensor, step: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mean (n, 1, H, W), std (n,))`` of ``x_{next}`` for rows at step index ``step``."""
        t = torch.as_tensor(self.timesteps, dtype=torch.long)[step]
        eps = self.model(x, t, labels)
        a_t = self._sqrt_abar_t[step].view(-1, 1, 1, 1)
        s_t = self._sqrt_1m_abar_t[step].view(-1, 1, 1, 1)
        x0_hat = ((x - s_t * eps) / a_t).clamp(-1.0, 1.0)
        eps_hat = (x - a_t * x0_hat) / s_t
        mean = self._sqrt_abar_s[step].view(-1, 1, 1, 1) * x0_hat + self._direction[step].view(-1, 1, 1, 1) * eps_hat
        return mean, torch.as_tensor(self.stds)[step]

    @torch.no_grad()
    def sample(self, labels: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Ancestral samples ``(n, 1, H, W)`` in [-1, 1] (the env with the uncorrected policy)."""
        size = self.model.config.image_size
        x = torch.randn(len(labels), 1, size, size, generator=generator)
        for k in range(self.num_steps):
            step = torch.full((len(labels),), k, dtype=torch.long)
            mean, std = self.gaussian(x, step, labels)
            x = mean + std.view(-1, 1, 1, 1) * torch.randn(x.shape, generator=generator)
        return x.clamp(-1.0, 1.0)
