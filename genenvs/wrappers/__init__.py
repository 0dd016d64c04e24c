"""Gymnasium wrappers for the failure modes of RL for generation (budgets, collapse, sparsity)."""

from genenvs.wrappers.flatten_dict import FlattenDictObservation
from genenvs.wrappers.multi_objective import MultiObjective
from genenvs.wrappers.novelty import NoveltyPenalty
from genenvs.wrappers.oracle_budget import BudgetTracker, OracleBudget, OracleBudgetVector
from genenvs.wrappers.shaping import PotentialShaping

__all__ = ["BudgetTracker", "FlattenDictObservation", "MultiObjective", "NoveltyPenalty", "OracleBudget", "OracleBudgetVector", "PotentialShaping"]
