"""Build the TextOracle-v0 oracle and its sample sets.

The oracle is a :class:`~genenvs.core.reference_lm.RecurrentLM` (embedding and hidden
size 32, one GRU layer) whose parameters are drawn from N(0, 1) under ``SEED``, as
SeqGAN's oracle LSTM was (Yu et al., 2017), except the output layer, drawn from
N(0, 0.5^2): with N(0, 1) the GRU oracle is nearly deterministic (its samples cost 1.9
nats per token), with 0.5 they cost 4.4 nats per token, about two thirds of log(V), so
the distribution is neither trivial nor uniform. The end token's logit is fixed at -1e4
so the oracle never ends a sequence. 10,000 training and 2,000 test sequences of 20 tokens are
then sampled from it (Texygen's protocol, Zhu et al., 2018). Weights and samples are
shipped because torch's random streams are not guaranteed across versions.

Run:  python -m genenvs.text.data.build_oracle
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import torch

from genenvs.core.reference_lm import LMConfig, RecurrentLM
from genenvs.text.data.build_corpus import sha256, update_manifest
from genenvs.text.oracle import (
    ORACLE_FILE,
    ORACLE_LENGTH,
    ORACLE_WORDS,
    SAMPLES_FILE,
    sequence_log_likelihood,
)

HERE = Path(__file__).resolve().parent
SEED = 88
DIM = 32
HEAD_STD = 0.5
TRAIN_SIZE, TEST_SIZE = 10_000, 2_000
END_LOGIT = -1e4


def make_oracle(seed: int = SEED) -> RecurrentLM:
    torch.manual_seed(seed)
    model = RecurrentLM(LMConfig(vocab_size=ORACLE_WORDS + 1, embed_dim=DIM, hidden_dim=DIM, num_layers=1))
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 1.0)
        model.head.weight.mul_(HEAD_STD)
        model.head.bias.mul_(HEAD_STD)
        model.head.weight[0] = 0.0
        model.head.bias[0] = END_LOGIT
    return model.eval()


def main() -> None:
    torch.set_num_threads(1)
    model = make_oracle()
    gen = torch.Generator().manual_seed(SEED)
    ids, lengths = model.sample(TRAIN_SIZE + TEST_SIZE, ORACLE_LENGTH, generator=gen)
    assert (lengths == ORACLE_LENGTH).all(), "the oracle must never end a sequence early"
    train, test = ids[:TRAIN_SIZE], ids[TRAIN_SIZE:]
    model.save(ORACLE_FILE, metadata={"seed": SEED, "words": ORACLE_WORDS, "length": ORACLE_LENGTH})
    buf = io.BytesIO()
    np.savez_compressed(buf, train=train.astype(np.int16), test=test.astype(np.int16))
    SAMPLES_FILE.write_bytes(buf.getvalue())
    nll_test = float(-sequence_log_likelihood(model, test).mean() / ORACLE_LENGTH)
    rng = np.random.default_rng(SEED)
    uniform = rng.integers(1, ORACLE_WORDS + 1, size=(TEST_SIZE, ORACLE_LENGTH))
    nll_uniform = float(-sequence_log_likelihood(model, uniform).mean() / ORACLE_LENGTH)
    stats = {"seed": SEED, "head_std": HEAD_STD, "words": ORACLE_WORDS, "length": ORACLE_LENGTH, "nll_oracle_of_oracle_samples": nll_test, "nll_oracle_of_uniform_samples": nll_uniform, "log_vocab": math.log(ORACLE_WORDS)}
    update_manifest({"oracle": stats}, {"oracle.pt": {"sha256": sha256(ORACLE_FILE)}, "oracle_samples.npz": {"train": TRAIN_SIZE, "test": TEST_SIZE, "sha256": sha256(SAMPLES_FILE)}})
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
