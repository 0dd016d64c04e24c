"""Scorers of finished ImageGen-v0 images, one per reward family.

Samples are grayscale float32 ``(H, W)`` arrays in [0, 1] (ink = 1); contexts are the
requested digit classes. :data:`IMAGE_REWARDS` maps each ``reward=`` name of ImageGen-v0
to what it computes:

* ``classifier`` (rule-based oracle, DDPO's prompt-alignment analogue): ``log p(c | x)``
  of the requested class ``c`` under the shipped digit classifier;
* ``jpeg_compressibility`` / ``jpeg_incompressibility`` (rule-based, DDPO): minus / plus
  the JPEG file size in kilobytes (Pillow, quality 95, as DDPO encodes);
* ``preference`` (data-driven): a Bradley-Terry reward model trained by
  ``genenvs.image.data.train_preference`` on synthetic pairwise preferences;
* ``discriminator`` (adversarial): :class:`genenvs.rewards.DiscriminatorReward` trained
  online on real digits against the generated images.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch.nn import functional as F

from genenvs.image.digits import digit_images, to_model_range
from genenvs.image.networks import DigitClassifier, ImageEncoder
from genenvs.image.render import to_uint8
from genenvs.rewards.base import SampleBatch, Scorer, ScoreResult
from genenvs.rewards.discriminator import DiscriminatorReward
from genenvs.rewards.networks import ScalarHead
from genenvs.rewards.preference import BradleyTerryModel, PreferenceReward


def images_of(batch: SampleBatch) -> torch.Tensor:
    """Samples as model input: ``(n, 1, H, W)`` float32 in [-1, 1]."""
    return to_model_range(np.stack([np.asarray(s, dtype=np.float32) for s in batch.samples]))


class ClassifierLogProb(Scorer):
    """``log p(c | x)`` of the requested digit ``c`` (the context) under a digit classifier.

    At most 0; about ``-log 10 = -2.3`` for an image the classifier cannot read.
    """

    name = "classifier"
    version = "1"

    def __init__(self, classifier: DigitClassifier, model_id: str) -> None:
        self.classifier = classifier.eval()
        self.model_id = model_id

    def params(self) -> dict[str, Any]:
        return {"model": self.model_id}

    @torch.no_grad()
    def log_probs(self, images: torch.Tensor) -> torch.Tensor:
        """Log-probabilities of every class, ``(n, 10)``."""
        return F.log_softmax(self.classifier(images), dim=1)

    def score(self, batch: SampleBatch) -> ScoreResult:
        if batch.contexts is None:
            raise ValueError("the classifier reward needs each sample's requested digit as its context")
        labels = torch.as_tensor(np.asarray(batch.contexts, dtype=np.int64))
        scores = self.log_probs(images_of(batch)).gather(1, labels[:, None])[:, 0]
        return ScoreResult.single(self.name, scores.numpy().astype(np.float64), batch.valid)


def jpeg_kilobytes(image01: np.ndarray, quality: int = 95) -> float:
    """Size of the grayscale image as a JPEG file, in kB (1000 bytes)."""
    buffer = io.BytesIO()
    Image.fromarray(to_uint8(image01), mode="L").save(buffer, format="JPEG", quality=quality)
    return len(buffer.getvalue()) / 1000.0


class JpegSize(Scorer):
    """Signed JPEG size in kB: DDPO's compressibility (``sign=-1``) and incompressibility (``+1``) rewards.

    At 16x16 the file is ~0.33 kB for a flat image (mostly the JPEG header), ~0.48 kB for
    a real digit and ~0.59 kB for uniform noise.
    """

    version = "1"

    def __init__(self, sign: int, quality: int = 95) -> None:
        if sign not in (-1, 1):
            raise ValueError(f"sign must be -1 (compressibility) or +1 (incompressibility), got {sign}")
        self.sign = sign
        self.quality = int(quality)
        self.name = "jpeg_compressibility" if sign < 0 else "jpeg_incompressibility"

    def params(self) -> dict[str, Any]:
        return {"quality": self.quality, "unit": "kB"}

    def score(self, batch: SampleBatch) -> ScoreResult:
        sizes = np.array([jpeg_kilobytes(s, self.quality) for s in batch.samples], dtype=np.float64)
        return ScoreResult.single(self.name, self.sign * sizes, batch.valid)


def new_image_critic(in_channels: int = 1, seed: int = 0) -> ScalarHead:
    """A freshly initialised image encoder + MLP head (one logit/reward per image).

    Initialised from ``seed`` without touching the global torch RNG, so building an
    environment never changes a user's random stream.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return ScalarHead(ImageEncoder(in_channels))


def preference_model_from_state(config: dict[str, Any], state_dict: dict[str, torch.Tensor]) -> BradleyTerryModel:
    """Rebuild the image Bradley-Terry model saved by ``train_preference``."""
    if config.get("kind") != "image":
        raise ValueError(f"expected an image reward model, got kind {config.get('kind')!r}")
    bt = BradleyTerryModel(new_image_critic(config["in_channels"]), config)
    bt.model.load_state_dict(state_dict)
    bt.model.eval().requires_grad_(False)
    return bt


def _classifier(**kwargs: Any) -> Scorer:
    from genenvs.image.pretrained import CLASSIFIER_FILE, checksum, load_classifier

    return ClassifierLogProb(load_classifier(), checksum(CLASSIFIER_FILE), **kwargs)


def _preference(**kwargs: Any) -> Scorer:
    from genenvs.image.pretrained import load_preference_model

    return PreferenceReward(load_preference_model(), featurize=images_of, **kwargs)


def _discriminator(seed: int = 0, **kwargs: Any) -> Scorer:
    real, _ = digit_images(16, "train")
    return DiscriminatorReward(to_model_range(real).numpy(), model=new_image_critic(1, seed), featurize=images_of, seed=seed, **kwargs)


#: ``reward=`` names of ImageGen-v0 and their builders (keyword arguments come from ``reward_kwargs``).
IMAGE_REWARDS: dict[str, Callable[..., Scorer]] = {
    "classifier": _classifier,
    "jpeg_compressibility": lambda **kw: JpegSize(-1, **kw),
    "jpeg_incompressibility": lambda **kw: JpegSize(+1, **kw),
    "preference": _preference,
    "discriminator": _discriminator,
}


def make_image_reward(reward: str | Scorer, reward_kwargs: dict[str, Any] | None = None) -> Scorer:
    """The scorer for ``reward=`` (a name from :data:`IMAGE_REWARDS`, or any :class:`Scorer`)."""
    if isinstance(reward, Scorer):
        if reward_kwargs:
            raise ValueError("reward_kwargs only apply to reward names; configure a Scorer instance directly")
        return reward
    if reward not in IMAGE_REWARDS:
        raise ValueError(f"unknown reward {reward!r}; valid rewards: {', '.join(IMAGE_REWARDS)}")
    try:
        return IMAGE_REWARDS[reward](**(reward_kwargs or {}))
    except TypeError as exc:
        raise ValueError(f"bad reward_kwargs for reward {reward!r}: {exc}") from None
