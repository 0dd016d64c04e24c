"""Test-wide settings.

Torch runs single-threaded in tests: pytest-xdist already uses every core, and
oversubscribed OpenMP threads slow small models down by orders of magnitude.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

torch.set_num_threads(1)
