"""Spectral features and the multi-resolution spectral distance SynthMatch rewards with.

A single STFT trades time for frequency resolution; comparing log magnitudes at several
FFT sizes (the multi-resolution STFT loss of Yamamoto et al., 2020, and DDSP, Engel et
al., 2020) and on a mel scale judges pitch, timbre and envelope at once. Distances are
mean absolute differences of log magnitudes, so identical audio is at distance exactly 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torchaudio.transforms as AT

#: Floors added before taking logs: magnitude (STFT) and power (mel).
MAGNITUDE_FLOOR = 1e-3
POWER_FLOOR = 1e-5
#: Upper bound of the log-mel observation (a full-scale sine reaches about 11).
LOG_MEL_MAX = 15.0
LOG_MEL_MIN = math.log(POWER_FLOOR)


class SpectralDistance:
    """Log-STFT magnitudes at ``fft_sizes`` plus a log-mel spectrogram, and distances between them."""

    def __init__(self, sample_rate: int, fft_sizes: Sequence[int] = (256, 512, 1024), n_mels: int = 64, mel_fft: int = 1024) -> None:
        if not fft_sizes:
            raise ValueError("fft_sizes must name at least one FFT size")
        self.sample_rate = int(sample_rate)
        self.fft_sizes = tuple(int(n) for n in fft_sizes)
        self.n_mels = int(n_mels)
        self.mel_fft = int(mel_fft)
        self._windows = {n: torch.hann_window(n) for n in self.fft_sizes}
        self._mel = AT.MelSpectrogram(
            sample_rate=self.sample_rate, n_fft=self.mel_fft, hop_length=self.mel_fft // 4, n_mels=self.n_mels, f_min=20.0, f_max=self.sample_rate / 2, power=2.0
        )

    def params(self) -> dict[str, Any]:
        return {"fft_sizes": list(self.fft_sizes), "n_mels": self.n_mels, "mel_fft": self.mel_fft, "magnitude_floor": MAGNITUDE_FLOOR, "power_floor": POWER_FLOOR}

    def mel_frames(self, num_samples: int) -> int:
        return num_samples // (self.mel_fft // 4) + 1

    @torch.no_grad()
    def log_mel(self, audio: torch.Tensor) -> torch.Tensor:
        """``log(mel power + 1e-5)`` ``(B, n_mels, frames)``, clipped to [log 1e-5, 15]."""
        return torch.log(self._mel(audio) + POWER_FLOOR).clamp(LOG_MEL_MIN, LOG_MEL_MAX)

    @torch.no_grad()
    def features(self, audio: torch.Tensor) -> dict[str, torch.Tensor]:
        """Everything :meth:`distance` compares, computed once per sound (targets are cached)."""
        feats = {"log_mel": self.log_mel(audio)}
        for n in self.fft_sizes:
            spec = torch.stft(audio, n, hop_length=n // 4, window=self._windows[n], return_complex=True)
            feats[f"stft{n}"] = torch.log(spec.abs() + MAGNITUDE_FLOOR)
        return feats

    @staticmethod
    def distance(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """``{"log_stft": (B,), "log_mel": (B,)}``: mean absolute log differences (>= 0)."""
        stft = [(a[k] - b[k]).abs().mean(dim=(1, 2)) for k in a if k.startswith("stft")]
        return {"log_stft": torch.stack(stft).mean(dim=0).double(), "log_mel": (a["log_mel"] - b["log_mel"]).abs().mean(dim=(1, 2)).double()}
