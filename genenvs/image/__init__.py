"""Image domain: ImageGen-v0 (denoising diffusion as an MDP) and StrokeGen-v0 (painting).

* ImageGen-v0: DDPO's view of a diffusion sampler (Black et al., 2023): every denoising
  step is an action, the shipped class-conditional DDPM trained on scikit-learn's digits is
  the pretrained policy, and the finished image is scored.
* StrokeGen-v0: Learning to Paint (Huang et al., 2019): an agent paints a target digit with
  bundles of quadratic Bezier strokes on a canvas.

Attributes load lazily so that ``import genenvs`` (which registers the environments) does
not import torch models.
"""

from __future__ import annotations

from genenvs.core.lazy import lazy_attributes

_LAZY = {
    "ImageGenEnv": "genenvs.image.env",
    "ImageGenVectorEnv": "genenvs.image.vector_env",
    "StrokeGenEnv": "genenvs.image.env",
    "StrokeGenVectorEnv": "genenvs.image.vector_env",
    "IMAGE_REWARDS": "genenvs.image.rewards",
    "make_image_reward": "genenvs.image.rewards",
    "render_strokes": "genenvs.image.strokes",
    "digit_images": "genenvs.image.digits",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_attributes(__name__, _LAZY)
