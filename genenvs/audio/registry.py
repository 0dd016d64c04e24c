"""Audio environments registered with Gymnasium."""

from genenvs.core.registration import EnvEntry

ENVIRONMENTS = [
    EnvEntry(
        id="AudioGen-v0",
        entry_point="genenvs.audio.env:make_audiogen",
        vector_entry_point="genenvs.audio.env:make_audiogen_vec",
        description="RL Tuner: a 32-step C-major melody (38 actions), rewarded by a Note-RNN prior's log p plus music-theory rules / c; rendered to audio.",
        flagship=True,
    ),
    EnvEntry(
        id="SynthMatch-v0",
        entry_point="genenvs.audio.env:SynthMatchEnv",
        vector_entry_point="genenvs.audio.env:SynthMatchVectorEnv",
        description="Sound matching: set 10 synthesiser parameters so the sound matches a target's spectrum (negative multi-resolution spectral distance).",
        token_level=False,
    ),
]
