"""Loaders of the shipped image models (cached per process, read-only use).

The models are small and used in ``eval`` mode under ``torch.no_grad``, so every
environment in a process shares one copy. Anything trained online (the discriminator
reward) is built per environment instead.
"""

from __future__ import annotations

import functools

from genenvs.core.reference_lm import file_checksum
from genenvs.image.data import DATA
from genenvs.image.diffusion import DenoiserUNet
from genenvs.image.networks import DigitClassifier

DENOISER_FILE = "ddpm.pt"
CLASSIFIER_FILE = "classifier.pt"
PREFERENCE_FILE = "preference.pt"


def _path(filename: str):
    path = DATA / filename
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; rebuild it with the command recorded in {DATA / 'manifest.json'} (see docs/image.md)")
    return path


@functools.lru_cache(maxsize=1)
def load_denoiser() -> DenoiserUNet:
    """The shipped class-conditional DDPM noise predictor (16x16)."""
    model = DenoiserUNet.load(_path(DENOISER_FILE))
    model.requires_grad_(False)
    return model


@functools.lru_cache(maxsize=1)
def load_classifier() -> DigitClassifier:
    """The shipped 16x16 digit classifier."""
    model = DigitClassifier.load(_path(CLASSIFIER_FILE))
    model.requires_grad_(False)
    return model


@functools.lru_cache(maxsize=8)
def checksum(filename: str) -> str:
    """SHA-256 (16 hex) of a shipped file, hashed into the environments' provenance."""
    return file_checksum(_path(filename))


@functools.lru_cache(maxsize=1)
def load_preference_model():
    """The shipped Bradley-Terry image reward model (a ``BradleyTerryModel``)."""
    import torch

    from genenvs.image.rewards import preference_model_from_state

    blob = torch.load(_path(PREFERENCE_FILE), map_location="cpu", weights_only=True)
    bt = preference_model_from_state(blob["config"], blob["state_dict"])
    bt.metadata = blob.get("metadata", {})
    return bt
