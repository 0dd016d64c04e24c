"""Baseline agents for genenvs: maximum-likelihood generators improved by RL.

Entry points: ``python -m baselines.train`` (one run), ``python -m baselines.evaluate``
(re-run a checkpoint), ``python -m baselines.demo`` (the README's main job).
"""
