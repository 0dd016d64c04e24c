"""Image environments registered with Gymnasium."""

from genenvs.core.registration import EnvEntry

ENVIRONMENTS = [
    EnvEntry(
        id="ImageGen-v0",
        entry_point="genenvs.image.env:ImageGenEnv",
        vector_entry_point="genenvs.image.vector_env:ImageGenVectorEnv",
        description="DDPO-style denoising MDP: each action is the next DDIM image of a class-conditional digits DDPM; the final image is scored (classifier, JPEG size, preference, discriminator).",
        token_level=False,
        flagship=True,
    ),
    EnvEntry(
        id="StrokeGen-v0",
        entry_point="genenvs.image.env:StrokeGenEnv",
        vector_entry_point="genenvs.image.vector_env:StrokeGenVectorEnv",
        description="Learning to Paint: bundles of quadratic Bezier brush strokes copy a target digit; reward = reduction of pixel MSE (or a SPIRAL discriminator).",
        token_level=False,
    ),
]
