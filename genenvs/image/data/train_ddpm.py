"""Train the shipped class-conditional DDPM on 16x16 digits (the pretrained policy of ImageGen-v0).

Standard DDPM training (Ho et al., 2020): sample t uniformly in [0, T), noise the image
with q(x_t | x_0), regress the noise with MSE; the digit label conditions the model. An
exponential moving average of the weights (decay ``--ema``) is what gets shipped.

After training it reports the held-out noise-prediction MSE (test split, fixed t and
noise), then samples ``--eval-per-class`` images per digit with the ImageGen-v0 default
sampler (20 DDIM steps, eta = 1) and reports how often the shipped classifier assigns them
to the requested class; it writes the sample grid ``ddpm_samples.png``.

Run:  python -m genenvs.image.data.train_ddpm [--steps 3000] [--seed 0]
(needs ``classifier.pt``: run ``python -m genenvs.image.data.train_classifier`` first)
"""

from __future__ import annotations

import argparse
import copy
import json
import time

import numpy as np
import torch
from PIL import Image

from genenvs.image.data import DATA, record_model
from genenvs.image.diffusion import DDIMPolicy, DenoiserUNet, NoiseSchedule, UNetConfig
from genenvs.image.digits import NUM_CLASSES, digit_images, digits_checksum, to_model_range
from genenvs.image.render import image_grid

FILENAME = "ddpm.pt"
GRID = "ddpm_samples.png"
IMAGE_SIZE = 16


@torch.no_grad()
def heldout_mse(model: DenoiserUNet, schedule: NoiseSchedule, x: torch.Tensor, y: torch.Tensor, seed: int = 1) -> float:
    gen = torch.Generator().manual_seed(seed)
    t = torch.randint(0, schedule.num_train_steps, (len(x),), generator=gen)
    noise = torch.randn(x.shape, generator=gen)
    return float((model(schedule.add_noise(x, t, noise), t, y) - noise).pow(2).mean())


@torch.no_grad()
def sample_accuracy(model: DenoiserUNet, schedule: NoiseSchedule, per_class: int, num_steps: int, eta: float, seed: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Fraction of samples the shipped classifier assigns to the requested digit."""
    from genenvs.image.pretrained import load_classifier

    labels = torch.arange(NUM_CLASSES).repeat_interleave(per_class)
    policy = DDIMPolicy(model, schedule, num_steps, eta)
    samples = policy.sample(labels, torch.Generator().manual_seed(seed))
    predicted = load_classifier()(samples).argmax(dim=1)
    return float((predicted == labels).float().mean()), samples[:, 0].numpy(), labels.numpy()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--ema", type=float, default=0.995)
    parser.add_argument("--channels", type=int, nargs=2, default=[16, 32])
    parser.add_argument("--emb-dim", type=int, default=64)
    parser.add_argument("--eval-per-class", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    train_x, train_y = digit_images(IMAGE_SIZE, "train")
    test_x, test_y = digit_images(IMAGE_SIZE, "test")
    x, y = to_model_range(train_x).to(args.device), torch.as_tensor(train_y).to(args.device)
    schedule = NoiseSchedule()
    alpha_bar = schedule.alpha_bar.float().to(args.device)

    model = DenoiserUNet(UNetConfig(IMAGE_SIZE, NUM_CLASSES, tuple(args.channels), args.emb_dim)).to(args.device)
    ema = copy.deepcopy(model).requires_grad_(False)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.05)
    start, cpu_start, history = time.time(), time.process_time(), []
    running = 0.0
    for step in range(1, args.steps + 1):
        idx = torch.randint(0, len(x), (args.batch_size,), generator=gen).to(args.device)
        t = torch.randint(0, schedule.num_train_steps, (args.batch_size,), generator=gen).to(args.device)
        noise = torch.randn((args.batch_size, *x.shape[1:]), generator=gen).to(args.device)
        abar = alpha_bar[t].view(-1, 1, 1, 1)
        x_t = abar.sqrt() * x[idx] + (1 - abar).sqrt() * noise
        loss = (model(x_t, t, y[idx]) - noise).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            for p_ema, p in zip(ema.parameters(), model.parameters()):
                p_ema.lerp_(p, 1.0 - args.ema)
        running += loss.item()
        if step % 250 == 0:
            history.append({"step": step, "loss": round(running / 250, 5), "seconds": round(time.time() - start, 1)})
            print(history[-1], flush=True)
            running = 0.0
    ema = ema.to("cpu").eval()
    train_seconds = round(time.time() - start, 1)
    train_cpu_seconds = round(time.process_time() - cpu_start, 1)

    xt, yt = to_model_range(test_x), torch.as_tensor(test_y)
    accuracy, samples, labels = sample_accuracy(ema, schedule, args.eval_per_class, num_steps=20, eta=1.0, seed=args.seed)
    grid_index = np.concatenate([np.flatnonzero(labels == c)[:10] for c in range(NUM_CLASSES)])
    grid = image_grid((samples[grid_index] + 1.0) / 2.0, ncols=10, scale=4)
    Image.fromarray(grid).save(DATA / GRID, optimize=True)
    report = {
        "config": {**vars(args), "image_size": IMAGE_SIZE, "num_train_steps": schedule.num_train_steps, "beta": [1e-4, 0.02]},
        "data": {"source": "sklearn.datasets.load_digits", "checksum": digits_checksum(), "train_split": len(x), "test_split": len(xt)},
        "parameters": sum(p.numel() for p in ema.parameters()),
        "train_seconds": train_seconds,
        "train_cpu_seconds": train_cpu_seconds,
        "history": history,
        "heldout_eps_mse": round(heldout_mse(ema, schedule, xt, yt), 5),
        "sample_class_accuracy": {"value": round(accuracy, 4), "samples": len(labels), "num_steps": 20, "eta": 1.0, "chance": 1 / NUM_CLASSES},
        "sample_grid": GRID,
    }
    ema.save(DATA / FILENAME, metadata={k: report[k] for k in ("heldout_eps_mse", "sample_class_accuracy", "data")})
    record_model(FILENAME, "python -m genenvs.image.data.train_ddpm", report)
    print(json.dumps({k: v for k, v in report.items() if k != "history"}, indent=1))


if __name__ == "__main__":
    main()
