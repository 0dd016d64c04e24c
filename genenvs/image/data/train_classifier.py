"""Train the shipped digit classifier (reward ``classifier`` of ImageGen-v0).

A LeNet-sized CNN on the 16x16 training split of scikit-learn's digits, with random
one-pixel shifts and Gaussian pixel noise as augmentation so that it also reads the
slightly noisy images a diffusion sampler produces. Reports held-out accuracy on the
test split (every fifth image).

Run:  python -m genenvs.image.data.train_classifier [--epochs 30] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from torch.nn import functional as F

from genenvs.image.data import DATA, record_model
from genenvs.image.digits import digit_images, digits_checksum, to_model_range
from genenvs.image.networks import DigitClassifier

FILENAME = "classifier.pt"
IMAGE_SIZE = 16


def augment(x: torch.Tensor, gen: torch.Generator, noise: float = 0.2) -> torch.Tensor:
    """Shift each image by up to one pixel (zero padding at -1, the background) and add noise."""
    padded = F.pad(x, (1, 1, 1, 1), value=-1.0)
    dx, dy = torch.randint(0, 3, (2,), generator=gen).tolist()
    size = x.shape[-1]
    shifted = padded[..., dy : dy + size, dx : dx + size]
    sigma = noise * torch.rand(len(x), 1, 1, 1, generator=gen)
    return shifted + sigma * torch.randn(x.shape, generator=gen)


@torch.no_grad()
def accuracy(model: DigitClassifier, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return float((model(x).argmax(dim=1) == y).float().mean())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    train_x, train_y = digit_images(IMAGE_SIZE, "train")
    test_x, test_y = digit_images(IMAGE_SIZE, "test")
    x, y = to_model_range(train_x), torch.as_tensor(train_y)
    xt, yt = to_model_range(test_x), torch.as_tensor(test_y)

    model = DigitClassifier(IMAGE_SIZE)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
    start, cpu_start = time.time(), time.process_time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(order), args.batch_size):
            idx = order[i : i + args.batch_size]
            loss = F.cross_entropy(model(augment(x[idx], gen)), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    report = {
        "config": {**vars(args), **model.config},
        "data": {"source": "sklearn.datasets.load_digits", "checksum": digits_checksum(), "train_split": len(x), "test_split": len(xt)},
        "parameters": sum(p.numel() for p in model.parameters()),
        "train_seconds": round(time.time() - start, 1),
        "train_cpu_seconds": round(time.process_time() - cpu_start, 1),
        "train_accuracy": round(accuracy(model, x, y), 4),
        "test_accuracy": round(accuracy(model, xt, yt), 4),
    }
    model.save(DATA / FILENAME, metadata={"test_accuracy": report["test_accuracy"], "data": report["data"]})
    record_model(FILENAME, "python -m genenvs.image.data.train_classifier", report)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
