"""Rewards: the scorer protocol, composition, and one module per reward family.

1. rule-based: :class:`FunctionScorer` around any metric (domain oracles live in the
   domain folders, e.g. :mod:`genenvs.molecule.objectives`);
2. discriminator-based: :class:`DiscriminatorReward`;
3. distributional / KL-control: :class:`KLControl`, :func:`augmented_log_likelihood`;
4. data-driven: :class:`BradleyTerryModel` and :class:`PreferenceReward`.

The families built on torch load lazily, so that ``import genenvs`` (which imports the
scorer protocol) does not import torch: an AsyncVectorEnv worker of a torch-free env
stays small.
"""

from genenvs.core.lazy import lazy_attributes
from genenvs.rewards.base import FunctionScorer, SampleBatch, Scorer, ScoreResult
from genenvs.rewards.cache import CachedScorer
from genenvs.rewards.compose import ArithmeticMean, GeometricMean, Modified, WeightedSum
from genenvs.rewards.step import LengthPenalty, StepScorer

_LAZY = {
    "DiscriminatorReward": "genenvs.rewards.discriminator",
    "KLControl": "genenvs.rewards.kl_control",
    "augmented_log_likelihood": "genenvs.rewards.kl_control",
    "BradleyTerryModel": "genenvs.rewards.preference",
    "PreferenceReward": "genenvs.rewards.preference",
}

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

__getattr__ = lazy_attributes(__name__, _LAZY)
