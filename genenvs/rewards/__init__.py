"""Rewards: the scorer protocol, composition, and one module per reward family.

1. rule-based: :class:`FunctionScorer` around any metric (domain oracles live in the
   domain folders, e.g. :mod:`genenvs.molecule.objectives`);
2. discriminator-based: :class:`DiscriminatorReward`;
3. distributional / KL-control: :class:`KLControl`, :func:`augmented_log_likelihood`;
4. data-driven: :class:`BradleyTerryModel` and :class:`PreferenceReward`.
"""

from genenvs.rewards.base import FunctionScorer, SampleBatch, Scorer, ScoreResult
from genenvs.rewards.cache import CachedScorer
from genenvs.rewards.compose import ArithmeticMean, GeometricMean, Modified, WeightedSum
from genenvs.rewards.discriminator import DiscriminatorReward
from genenvs.rewards.kl_control import KLControl, augmented_log_likelihood
from genenvs.rewards.preference import BradleyTerryModel, PreferenceReward
from genenvs.rewards.step import LengthPenalty, StepScorer

__all__ = [
    "ArithmeticMean",
    "BradleyTerryModel",
    "CachedScorer",
    "DiscriminatorReward",
    "FunctionScorer",
    "GeometricMean",
    "KLControl",
    "LengthPenalty",
    "Modified",
    "PreferenceReward",
    "SampleBatch",
    "ScoreResult",
    "Scorer",
    "StepScorer",
    "WeightedSum",
    "augmented_log_likelihood",
]
