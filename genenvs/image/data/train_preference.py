"""Train the shipped Bradley-Terry image reward model (reward ``preference`` of ImageGen-v0).

No human labels ship with scikit-learn, so the preferences come from a *synthetic rater*
with a hidden utility, and the reward model must recover it from pairwise comparisons
only, as an RLHF reward model does (Christiano et al., 2017):

    u(x) = ink(x) - 2 * speckle(x)

with ``ink`` the mean pixel value (the rater likes bold digits) and ``speckle`` the mean
absolute difference between the image and its 3x3 median filter (the rater dislikes
isolated noisy pixels). Images are 16x16 digits in [0, 1] varied the way generated images
vary: strokes thickened or thinned (3x3 max / min filter, blended by a random amount),
intensity scaled by U(0.5, 1), and, for 70% of them, Gaussian noise of std U(0, 0.3).
For a random pair the rater prefers ``a`` with probability
``sigmoid((u(a) - u(b)) / tau)``, ``tau = 0.25 * std(u)`` (a noisy Bradley-Terry rater).
Training pairs come from the train split, held-out pairs from the test split.

Note: like every learned reward, it can be over-optimised (Gao et al., 2023): images
with more ink than any digit score higher still. ImageGen's ``kl_coef`` exists for that.

Run:  python -m genenvs.image.data.train_preference [--pairs 12000] [--epochs 12] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from torch.nn import functional as F

from genenvs.image.data import DATA, record_model
from genenvs.image.digits import digit_images, digits_checksum, to_model_range
from genenvs.image.rewards import new_image_critic
from genenvs.rewards.preference import BradleyTerryModel

FILENAME = "preference.pt"
IMAGE_SIZE = 16
SPECKLE_WEIGHT = 2.0


def median3x3(x: torch.Tensor) -> torch.Tensor:
    """Median filter of ``(N, H, W)`` images (zero padding, i.e. background)."""
    n, h, w = x.shape
    patches = F.unfold(x[:, None], kernel_size=3, padding=1)  # (N, 9, H*W)
    return patches.median(dim=1).values.view(n, h, w)


def utility(x: torch.Tensor) -> torch.Tensor:
    """The synthetic rater's hidden utility of ``(N, H, W)`` images in [0, 1]."""
    ink = x.mean(dim=(1, 2))
    speckle = (x - median3x3(x)).abs().mean(dim=(1, 2))
    return ink - SPECKLE_WEIGHT * speckle


def perturb(images: np.ndarray, copies: int, gen: torch.Generator) -> torch.Tensor:
    """``copies`` random variations of every image (thickness, intensity, noise), in [0, 1]."""
    x = torch.tensor(images).repeat(copies, 1, 1)
    n = len(x)
    dilated = F.max_pool2d(x[:, None], 3, stride=1, padding=1)[:, 0]
    eroded = -F.max_pool2d(-x[:, None], 3, stride=1, padding=1)[:, 0]
    amount = torch.rand(n, 1, 1, generator=gen) * 2 - 1
    x = torch.where(amount > 0, x + amount * (dilated - x), x - amount * (eroded - x))
    x = x * (0.5 + 0.5 * torch.rand(n, 1, 1, generator=gen))
    sigma = 0.3 * torch.rand(n, 1, 1, generator=gen) * (torch.rand(n, 1, 1, generator=gen) < 0.7)
    return (x + sigma * torch.randn(x.shape, generator=gen)).clamp(0.0, 1.0)


def rated_pairs(pool: torch.Tensor, num_pairs: int, tau: float, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(preferred, rejected, agrees)``: model inputs of each pair, and whether the noisy
    rater's choice agrees with the noiseless utility ordering."""
    u = utility(pool)
    i = torch.randint(0, len(pool), (num_pairs,), generator=gen)
    j = torch.randint(0, len(pool), (num_pairs,), generator=gen)
    a_wins = torch.rand(num_pairs, generator=gen) < torch.sigmoid((u[i] - u[j]) / tau)
    preferred, rejected = torch.where(a_wins, i, j), torch.where(a_wins, j, i)
    agrees = u[preferred] >= u[rejected]
    return to_model_range(pool[preferred]), to_model_range(pool[rejected]), agrees


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=12000)
    parser.add_argument("--heldout-pairs", type=int, default=4000)
    parser.add_argument("--copies", type=int, default=4, help="perturbed variations per digit")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    gen = torch.Generator().manual_seed(args.seed)
    train_pool = perturb(digit_images(IMAGE_SIZE, "train")[0], args.copies, gen)
    test_pool = perturb(digit_images(IMAGE_SIZE, "test")[0], args.copies, gen)
    tau = 0.25 * float(utility(train_pool).std())
    train = rated_pairs(train_pool, args.pairs, tau, gen)
    test = rated_pairs(test_pool, args.heldout_pairs, tau, gen)

    config = {"kind": "image", "in_channels": 1, "image_size": IMAGE_SIZE}
    bt = BradleyTerryModel(new_image_critic(1, args.seed), config)
    start, cpu_start = time.time(), time.process_time()
    losses = bt.fit(train[0], train[1], epochs=args.epochs, batch_size=128, lr=args.lr, seed=args.seed)
    heldout_u = utility(test_pool).numpy()
    heldout_r = bt.reward(to_model_range(test_pool))
    model_prefers = torch.as_tensor(bt.reward(test[0]) > bt.reward(test[1]))
    report = {
        "config": {**vars(args), **config, "speckle_weight": SPECKLE_WEIGHT, "tau": round(tau, 5)},
        "data": {"source": "sklearn.datasets.load_digits", "checksum": digits_checksum(), "train_images": len(train_pool), "test_images": len(test_pool)},
        "parameters": sum(p.numel() for p in bt.model.parameters()),
        "train_seconds": round(time.time() - start, 1),
        "train_cpu_seconds": round(time.process_time() - cpu_start, 1),
        "loss_per_epoch": [round(v, 4) for v in losses],
        "heldout_pair_accuracy": round(bt.accuracy(test[0], test[1]), 4),
        "heldout_accuracy_vs_noiseless_utility": round(float((model_prefers == test[2]).float().mean()), 4),
        "rater_self_consistency": round(float(test[2].float().mean()), 4),
        "heldout_spearman_reward_vs_utility": round(spearman(heldout_r, heldout_u), 4),
    }
    bt.save(DATA / FILENAME, metadata={k: report[k] for k in ("heldout_pair_accuracy", "heldout_spearman_reward_vs_utility", "data")})
    record_model(FILENAME, "python -m genenvs.image.data.train_preference", report)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
