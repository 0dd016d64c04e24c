"""Shipped melody data and the Note-RNN prior, with the scripts that rebuild them."""

from pathlib import Path

DATA = Path(__file__).resolve().parent
