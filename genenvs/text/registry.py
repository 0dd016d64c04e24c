"""Text environments registered with Gymnasium."""

from genenvs.core.registration import EnvEntry

ENVIRONMENTS = [
    EnvEntry(
        id="TextGen-v0",
        entry_point="genenvs.text.env:make_textgen",
        vector_entry_point="genenvs.text.env:make_textgen_vec",
        description="Continue an English prompt BPE token by BPE token; VADER sentiment of the continuation plus KL-control to the shipped LM (reward= keywords, reference, preference, length, repetition).",
        flagship=True,
    ),
    EnvEntry(
        id="TextOracle-v0",
        entry_point="genenvs.text.env:make_textoracle",
        vector_entry_point="genenvs.text.env:make_textoracle_vec",
        description="SeqGAN's synthetic benchmark: 20 tokens scored by a seeded oracle LM's log-likelihood (or an online discriminator); exact NLL-oracle metrics.",
    ),
]
